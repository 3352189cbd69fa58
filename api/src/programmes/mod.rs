//! Concerted action programmes (programmes d'actions concertées), led by one authority and
//! financed by volunteer authorities sharing each action's cost. So far: the exact cost
//! sharing every action will use (`sharing`).

pub mod sharing;
