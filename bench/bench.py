"""The benchmark behind bench/run.sh: the release server on PostgreSQL with synthetic data,
driven by wrk at 64 connections, each query compared with the ideal rate computed in the same
run from the rate of `{ __typename }` (the server's own overhead) and the pgbench rate of the
SQL the query sends (replayed from the server's statement log).

Standard library only. Settings come from the environment (see run.sh)."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = os.environ["CUF_BENCH_BIN"]
PG = os.environ.get("CUF_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("CUF_BENCH_DB", "cuf_bench")
SCALE = os.environ.get("CUF_BENCH_SCALE", "1")
SECONDS = int(os.environ.get("CUF_BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("CUF_BENCH_CONNECTIONS", "64"))
# Each query's rate and its SQL's pgbench rate are measured in turn, ROUNDS times: the
# machine's speed drifts over minutes, and a ratio of two runs taken far apart carries it.
ROUNDS = int(os.environ.get("CUF_BENCH_ROUNDS", "3"))
PORT = int(os.environ.get("CUF_BENCH_PORT", "18080"))
THREADS = 2
URL = f"http://127.0.0.1:{PORT}"
WORK = tempfile.mkdtemp(prefix="cuf-bench-")
STAFF_EMAIL = "bench@example.org"
STAFF_PASSWORD = "a benchmark password"


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, **kwargs):
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


def psql(sql, database="postgres"):
    return run(["psql", f"{PG}/{database}", "-Atqc", sql]).stdout.strip()


def prepare_database():
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'")
    marker = psql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'cooperations'", DB
    ) if exists else "0"
    if exists and marker == "1" and os.environ.get("CUF_BENCH_RESEED") != "1":
        rows = psql("SELECT count(*) FROM cooperations", DB)
        log(f"reusing database {DB} ({rows} cooperations); CUF_BENCH_RESEED=1 to rebuild it")
        return
    psql(f'DROP DATABASE IF EXISTS "{DB}"')
    psql(f'CREATE DATABASE "{DB}"')
    env = dict(os.environ, DATABASE_URL=f"{PG}/{DB}", RUST_LOG="warn")
    started = time.monotonic()
    out = run([BIN, "seed", "synthetic", "--scale", SCALE], env=env).stdout
    log(out.strip())
    log(f"seeded scale {SCALE} in {time.monotonic() - started:.1f} s")
    run(
        [BIN, "user", "create", "--email", STAFF_EMAIL, "--role", "CUF_STAFF", "--name", "Bench"],
        env=env,
        input=STAFF_PASSWORD + "\n",
    )


# Servers still running, stopped whatever happens: a failed run must not leave one holding
# the port, or the next run measures it instead of its own.
RUNNING = []


class Server:
    """The release server; `trace` also logs every statement with its values."""

    def __init__(self, trace=False):
        self.log_path = os.path.join(WORK, "trace.log" if trace else "server.log")
        env = dict(
            os.environ,
            DATABASE_URL=f"{PG}/{DB}",
            CUF_BIND=f"127.0.0.1:{PORT}",
            CUF_ENV="production",
            CUF_JWT_SECRET="bench-signing-secret-0123456789-abcdefghijklmnop",
            CUF_CORS_ORIGINS="https://spa.example.org",
            CUF_RATE_LIMIT_CAPACITY="0",
            CUF_DB_MAX_CONNECTIONS=os.environ.get("CUF_BENCH_POOL", "8"),
            CUF_SLOW_QUERY_MS="1000",
            RUST_LOG="warn,api::sql=trace" if trace else "warn",
        )
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [BIN], env=env, stdout=subprocess.DEVNULL, stderr=self.log_file
        )
        RUNNING.append(self)
        for _ in range(200):
            try:
                with urllib.request.urlopen(URL + "/readyz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not become ready")

    def peak_rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        if self in RUNNING:
            RUNNING.remove(self)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=40)
        self.log_file.close()


def graphql(query, token=None, name=None):
    body = {"query": query}
    if name:
        body["operationName"] = name
    request = urllib.request.Request(
        URL + "/graphql",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"} | (
            {"authorization": f"Bearer {token}"} if token else {}
        ),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise RuntimeError(f"{name}: {answer['errors']}")
    return answer["data"]


def sign_in():
    data = graphql(
        'mutation Login { login(input: {email: "%s", password: "%s"}) { accessToken } }'
        % (STAFF_EMAIL, STAFF_PASSWORD),
        name="Login",
    )
    return data["login"]["accessToken"]


def deep_cursor(depth):
    """The cursor after `depth` fiches of the anonymous directory, paging by 100."""
    after = None
    for _ in range(depth // 100):
        argument = f', after: "{after}"' if after else ""
        data = graphql(
            "query Walk { cooperations(first: 100%s) { pageInfo { endCursor } } }" % argument,
            name="Walk",
        )
        after = data["cooperations"]["pageInfo"]["endCursor"]
    return after


def queries(token):
    """The benchmarked queries: (name, document, token or None)."""
    ids = graphql(
        "query Ids { authorities(first: 1) { nodes { id } } countryGroups(first: 1) { nodes { id } } }",
        name="Ids",
    )
    authority = ids["authorities"]["nodes"][0]["id"]
    group = ids["countryGroups"]["nodes"][0]["id"]
    programme = graphql(
        "query Ids2 { programmes(first: 1) { nodes { id } } }", token, "Ids2"
    )["programmes"]["nodes"][0]["id"]
    # The anonymous directory holds 39,959 validated fiches at scale 1.
    deep = deep_cursor(39_900)
    page = "cooperations(first: 50%s) { edges { cursor node { id title countryCode status startYear frenchPartners { id name } foreignPartners { id name } themes { id label } } } pageInfo { hasNextPage endCursor } }"
    return [
        ("Typename", "query Typename { __typename }", None),
        ("Node", 'query Node { node(id: "%s") { id ... on Authority { name kind countryCode population } } }' % authority, None),
        ("Directory", "query Directory { %s }" % (page % ""), None),
        ("DeepPage", "query DeepPage { %s }" % (page % f', after: "{deep}"'), None),
        ("Programme", 'query Programme { node(id: "%s") { ... on Programme { title status totals { totalCost { amount currency } fundingGap { amount } } actions { title totals { totalCost { amount } } shares { percentage amount { amount currency } commitment authority { name } } } } } }' % programme, token),
        ("Upcoming", 'query Upcoming { node(id: "%s") { ... on CountryGroup { name upcoming(limit: 10) { events { id title date { start end precision } location { city } } followUps { title dueOn { start } } } } } }' % group, None),
    ]


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
%s
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(99)))
end
"""


def lua_string(text):
    return "[==[" + text + "]==]"


def wrk(name, document, token, connections, seconds, operation=None):
    """wrk on `document`, renamed `operation` so that /metrics tells the runs apart."""
    operation = operation or name
    document = document.replace(f"query {name} ", f"query {operation} ", 1)
    body = json.dumps({"query": document, "operationName": operation})
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    script = os.path.join(WORK, f"{name}-{connections}.lua")
    with open(script, "w") as file:
        file.write(WRK_SCRIPT % (lua_string(body), auth))
    out = run(
        ["wrk", "-t", str(min(THREADS, connections)), "-c", str(connections), "-d", f"{seconds}s",
         "--timeout", "10s", "-s", script, URL + "/graphql"]
    ).stdout
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    requests, duration, errors, p50, p99 = map(int, match.groups())
    if errors:
        raise RuntimeError(f"{name}: {errors} failed requests\n{out}")
    return {"rps": requests / (duration / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000}


def capture_sql(bench_queries):
    """Each query's statements with their values, from a tracing server, as pgbench scripts."""
    server = Server(trace=True)
    scripts = {}
    try:
        for name, document, token in bench_queries:
            offset = os.path.getsize(server.log_path)
            graphql(document, token, name)
            time.sleep(0.3)
            with open(server.log_path) as file:
                file.seek(offset)
                lines = [json.loads(line) for line in file if line.startswith("{")]
            # What the server logged while the request ran, but for the outbox worker's polls.
            statements = [
                line["sql"] for line in lines
                if line.get("target") == "api::sql" and '"outbox"' not in line["sql"]
            ]
            path = os.path.join(WORK, f"{name}.sql")
            with open(path, "w") as file:
                for statement in statements:
                    file.write(statement.replace("\n", " ") + ";\n")
            scripts[name] = (path, len(statements))
    finally:
        server.stop()
    return scripts


def pgbench(path, clients, seconds, mode="simple"):
    """pgbench on `path`. `simple` sends each statement as text, parsed and planned every time;
    `prepared` plans each once per client, as the server's cached prepared statements are."""
    out = run(
        ["pgbench", "-n", "-M", mode, "-c", str(clients), "-j", str(THREADS), "-T", str(seconds),
         "-f", path, f"{PG}/{DB}"]
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return tps, latency


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def metric(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def main():
    for tool in ("wrk", "pgbench", "psql"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench: {tool} is required (bash bench/run.sh installs wrk)")
    prepare_database()
    server = Server()
    token = sign_in()
    bench_queries = queries(token)
    server.stop()
    scripts = capture_sql(bench_queries)

    server = Server()
    token = sign_in()
    bench_queries = [(n, d, token if t else None) for n, d, t in bench_queries]
    results = {}
    for name, document, auth in bench_queries:
        wrk(name, document, auth, CONNECTIONS, 2, operation=name + "Warmup")
        path, captured = scripts[name]
        rounds = []
        for _ in range(ROUNDS):
            loaded = wrk(name, document, auth, CONNECTIONS, SECONDS)
            # The server idles meanwhile, its pool's connections open.
            tps = pgbench(path, CONNECTIONS, SECONDS, "prepared")[0] if captured else None
            rounds.append((loaded, tps))
        single = wrk(name, document, auth, 1, max(3, SECONDS // 2), operation=name + "Single")
        results[name] = {"rounds": rounds, "single": single}
        shown = ", ".join(f"{loaded['rps']:.0f}" + (f" / {tps:.0f}" if tps else "") for loaded, tps in rounds)
        log(f"{name}: req/s at {CONNECTIONS}{' / pgbench tps' if captured else ''}: {shown}; p50 {single['p50_ms']:.2f} ms alone")
    with urllib.request.urlopen(URL + "/metrics") as response:
        metrics = response.read().decode()
    peak = server.peak_rss_mib()
    flood_reads = flood(bench_queries, token)
    flood_reads["peak"] = server.peak_rss_mib()
    server.stop()

    base_rps = median([loaded["rps"] for loaded, _ in results["Typename"]["rounds"]])
    rows = []
    for name, _, _ in bench_queries:
        # From the one-client run: under load, concurrent requests share DataLoader batches
        # and the statements are counted for the request that started each batch.
        single_name = name + "Single"
        statements = metric(metrics, f'cuf_graphql_statements_total{{operation="{single_name}"}}')
        count = metric(metrics, f'cuf_graphql_requests_total{{operation="{single_name}",outcome="ok"}}')
        per_request = statements / count if count else 0.0
        path, captured = scripts[name]
        rounds, single = results[name]["rounds"], results[name]["single"]
        # The round with the median ratio of the API's rate to its ideal rate.
        ratios = [
            loaded["rps"] / (1 / (1 / base_rps + 1 / tps)) if tps else loaded["rps"] / base_rps
            for loaded, tps in rounds
        ]
        loaded, prepared_tps = rounds[sorted(range(len(rounds)), key=ratios.__getitem__)[len(rounds) // 2]]
        if captured:
            sql_tps, _ = pgbench(path, CONNECTIONS, SECONDS)
            _, sql_latency = pgbench(path, 1, max(3, SECONDS // 2))
            ideal = 1 / (1 / base_rps + 1 / sql_tps)
            _, prepared_latency = pgbench(path, 1, max(3, SECONDS // 2), "prepared")
            prepared_ideal = 1 / (1 / base_rps + 1 / prepared_tps)
        else:
            sql_tps, sql_latency, ideal = None, None, base_rps
            prepared_latency, prepared_ideal = None, base_rps
        rows.append({
            "query": name,
            "rps": loaded["rps"],
            "p50_ms": loaded["p50_ms"],
            "p99_ms": loaded["p99_ms"],
            "single_p50_ms": single["p50_ms"],
            "statements": per_request,
            "captured_statements": captured,
            "pgbench_tps": sql_tps,
            "pgbench_single_ms": sql_latency,
            "ideal_rps": ideal,
            "ratio": loaded["rps"] / ideal,
            "prepared_tps": prepared_tps,
            "prepared_single_ms": prepared_latency,
            "prepared_ideal_rps": prepared_ideal,
            "prepared_ratio": loaded["rps"] / prepared_ideal,
            "round_ratios": ratios,
        })
    report(rows, peak, results, flood_reads)


def flood(bench_queries, token):
    """The Directory read's p99 at 32 connections, alone then during a sign-in flood."""
    name, document, _ = next(q for q in bench_queries if q[0] == "Directory")
    quiet = wrk("Directory", document, None, CONNECTIONS // 2, SECONDS, operation="FloodQuiet")
    login = json.dumps({
        "query": 'mutation Login { login(input: {email: "%s", password: "%s"}) { accessToken } }'
        % (STAFF_EMAIL, STAFF_PASSWORD)
    })
    script = os.path.join(WORK, "login.lua")
    with open(script, "w") as file:
        file.write('wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' % lua_string(login))
    flooder = subprocess.Popen(
        ["wrk", "-t", "1", "-c", str(CONNECTIONS // 2), "-d", f"{SECONDS + 4}s", "-s", script, URL + "/graphql"],
        stdout=subprocess.PIPE, text=True,
    )
    time.sleep(2)
    during = wrk("Directory", document, None, CONNECTIONS // 2, SECONDS, operation="FloodLoud")
    out, _ = flooder.communicate()
    logins = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {"quiet": quiet, "during": during, "login_rps": float(logins.group(1)) if logins else 0.0}


def report(rows, peak, results, flood_reads):
    # The ideal rate is judged against pgbench's prepared protocol: the server's statements are
    # prepared once per connection and cached, so planning is not part of their cost. Against
    # the simple protocol (planned every time, the reference of the runs before session 5),
    # several queries beat their "ideal", which shows it is no bound; it is printed after.
    print(f"\nCUF Cooperation API benchmark: scale {SCALE}, {CONNECTIONS} connections, {SECONDS} s per run, PostgreSQL {DB}\n")
    print(f"Each query and its SQL ran in turn {ROUNDS} times; the row shows the round with the median")
    print("ratio (the ideal rate takes the median rate of `{ __typename }`).\n")
    print("| query | req/s | p50 ms | p99 ms | p50 ms, 1 client | statements/request | pgbench tps | pgbench ms, 1 client | ideal req/s | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        pg_tps = f"{row['prepared_tps']:.0f}" if row["prepared_tps"] else "-"
        pg_ms = f"{row['prepared_single_ms']:.3f}" if row["prepared_single_ms"] else "-"
        print(f"| {row['query']} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['single_p50_ms']:.2f} | {row['statements']:.1f} | {pg_tps} | {pg_ms} | {row['prepared_ideal_rps']:.0f} | {row['prepared_ratio']:.2f} |")
    print("\npgbench with its prepared protocol above. With the simple protocol (each statement")
    print("parsed and planned every time, the reference of the runs before session 5):\n")
    print("| query | pgbench tps | pgbench ms, 1 client | ideal req/s | ratio | p50 alone / pgbench |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        if not row["pgbench_tps"]:
            continue
        factor = row["single_p50_ms"] / row["pgbench_single_ms"]
        print(f"| {row['query']} | {row['pgbench_tps']:.0f} | {row['pgbench_single_ms']:.3f} | {row['ideal_rps']:.0f} | {row['ratio']:.2f} | {factor:.1f} |")
    print("\nThe ratio in each round:\n")
    for row in rows:
        if row["query"] != "Typename":
            print(f"- {row['query']}: " + ", ".join(f"{ratio:.2f}" for ratio in row["round_ratios"]))
    by_name = {row["query"]: row for row in rows}
    print("\nTargets (against pgbench's prepared protocol):")
    for row in rows:
        if row["query"] == "Typename":
            continue
        verdict = "meets" if row["prepared_ratio"] >= 0.5 else "MISSES"
        print(f"- {row['query']}: {row['prepared_ratio']:.2f} of the ideal rate (target 0.5): {verdict}")
    for row in rows:
        if row["prepared_single_ms"]:
            factor = row["single_p50_ms"] / row["prepared_single_ms"]
            verdict = "meets" if factor <= 3 else "MISSES"
            print(f"- {row['query']}: p50 alone {row['single_p50_ms']:.2f} ms = {factor:.1f} x the pgbench latency {row['prepared_single_ms']:.3f} ms (target 3): {verdict}")
    deep = by_name["DeepPage"]["single_p50_ms"] / by_name["Directory"]["single_p50_ms"]
    print(f"- page 39,900 deep: {deep:.2f} x the first page's p50 alone (target 1.5): {'meets' if deep <= 1.5 else 'MISSES'}")
    print(f"- peak resident memory under the reads at {CONNECTIONS} connections: {peak:.1f} MiB (target 64): {'meets' if peak < 64 else 'MISSES'}; after the sign-in flood: {flood_reads['peak']:.1f} MiB")
    quiet, during = flood_reads["quiet"]["p99_ms"], flood_reads["during"]["p99_ms"]
    factor = during / quiet
    print(f"- Directory p99 at {CONNECTIONS // 2} connections: {quiet:.2f} ms alone, {during:.2f} ms during a sign-in flood ({flood_reads['login_rps']:.0f} logins/s): {factor:.2f} x (target 2): {'meets' if factor <= 2 else 'MISSES'}")


if __name__ == "__main__":
    try:
        main()
    finally:
        for server in list(RUNNING):
            server.process.kill()
