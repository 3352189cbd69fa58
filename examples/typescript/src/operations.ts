// The operations of the example. GraphQL Code Generator reads them from here and generates
// their result and variable types (src/gql/); `graphql()` returns a document typed with both.
import { graphql } from './gql';

export const Login = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      expiresAt
      user {
        email
        role
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const DirectoryPage = graphql(`
  query DirectoryPage($first: Int!, $after: String) {
    cooperations(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        title
        countryCode
        validationState
        internalNotes
        version
      }
    }
  }
`);

export const UpdateNotes = graphql(`
  mutation UpdateNotes($input: UpdateCooperationInput!) {
    updateCooperation(input: $input) {
      cooperation {
        id
        internalNotes
        version
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const CooperationChanged = graphql(`
  subscription CooperationChanged($filter: CooperationFilterInput) {
    cooperationChanged(filter: $filter) {
      kind
      cooperationId
      cooperation {
        id
        internalNotes
        version
      }
    }
  }
`);
