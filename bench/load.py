"""The submission rush's client (not a test): runs in its own process, talks HTTP to 127.0.0.1
only, and prints one JSON document on stdout. Standard library only. Pages are loaded by wrk
(``bench/run.py``); this drives the rush, where each supplier POSTs with its own token.

    python bench/load.py < spec.json

``spec`` is ``{"mode": "rush", "base": "http://127.0.0.1:8123", "window": 60, "submissions":
[{"token", "consultation", "question"}]}``. Every loop is bounded both in count and in time.
"""

import http.client
import json
import random
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Client:
    """One keep-alive connection (reopened when the server closes it, as sync gunicorn does)."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        parts = urlsplit(base)
        if parts.hostname != "127.0.0.1":
            raise SystemExit("the load generator talks to 127.0.0.1 only")
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def request(self, method: str, path: str, headers: dict, body: bytes | None = None):
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("connection", "").lower() == "close":
                self.conn.close()
            return response.status, data
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise


def run_rush(spec: dict) -> dict:
    """Each submission (start a response with an answer, then submit it) starts at a random
    moment of the window; one thread per supplier, all concurrent."""
    base, window = spec["base"], float(spec["window"])
    rng = random.Random(spec.get("seed", 1))
    by_token: dict[str, list[dict]] = {}
    for item in spec["submissions"]:
        by_token.setdefault(item["token"], []).append(item)
    plan = {
        token: sorted(rng.uniform(0, window) for _ in items) for token, items in by_token.items()
    }
    results: list[dict] = []
    lock = threading.Lock()
    begin = time.monotonic() + 1.0
    hard_stop = begin + window + float(spec.get("grace", 120))

    def supplier(token: str) -> None:
        client = Client(base, timeout=60)
        headers = {
            "Host": "127.0.0.1",
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
        }
        for item, at in zip(by_token[token], plan[token], strict=True):
            time.sleep(max(0.0, begin + at - time.monotonic()))
            if time.monotonic() > hard_stop:
                break
            outcome = {"consultation": item["consultation"], "token": token, "ok": False}
            start = time.perf_counter()
            try:
                body = json.dumps(
                    {"answers": [{"question": item["question"], "value": "Nuestra propuesta."}]}
                ).encode()
                status, data = client.request(
                    "POST",
                    f"/api/v1/consultations/{item['consultation']}/responses/",
                    headers,
                    body,
                )
                t1 = time.perf_counter() - start
                if status != 201:
                    outcome["error"] = f"start {status}"
                else:
                    response_id = json.loads(data)["id"]
                    s2 = time.perf_counter()
                    status, data = client.request(
                        "POST", f"/api/v1/responses/{response_id}/submit/", headers, b""
                    )
                    outcome["request_ms"] = [t1 * 1000, (time.perf_counter() - s2) * 1000]
                    if status == 200 and json.loads(data).get("status") == "submitted":
                        outcome["ok"] = True
                        outcome["response"] = response_id
                    else:
                        outcome["error"] = f"submit {status}"
            except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
                outcome["error"] = type(error).__name__
            outcome["ms"] = (time.perf_counter() - start) * 1000
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=supplier, args=(token,)) for token in by_token]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - begin
    requests_ms = [ms for r in results for ms in r.get("request_ms", [])]
    submissions_ms = [r["ms"] for r in results if r["ok"]]
    errors: dict[str, int] = {}
    for r in results:
        if not r["ok"]:
            errors[r.get("error", "?")] = errors.get(r.get("error", "?"), 0) + 1
    return {
        "suppliers": len(by_token),
        "attempted": len(results),
        "planned": len(spec["submissions"]),
        "succeeded": [r["response"] for r in results if r["ok"]],
        "errors": errors,
        "seconds": round(wall, 1),
        "request_p50_ms": round(percentile(requests_ms, 50), 1),
        "request_p99_ms": round(percentile(requests_ms, 99), 1),
        "submission_p99_ms": round(percentile(submissions_ms, 99), 1),
        "submission_mean_ms": round(statistics.fmean(submissions_ms), 1) if submissions_ms else 0,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    if spec["mode"] != "rush":
        raise SystemExit("bench/load.py runs the submission rush only; pages are loaded by wrk")
    print(json.dumps(run_rush(spec)))


if __name__ == "__main__":
    main()
