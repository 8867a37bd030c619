#!/usr/bin/env python3
"""A local stand-in for the DigitalOcean API v2, the GitHub Actions runner
API and Forgejo's Actions task API, for contract tests: the real APIs are not reachable from the test
machines. It answers as the vendors' published documentation describes
(DigitalOcean: droplets list/create/delete, sizes, 429 with ratelimit-*
headers; GitHub: GET /repos/{o}/{r}/actions/runners and
/actions/runs?status=queued; Forgejo: GET
/api/v1/repos/{o}/{r}/actions/tasks?page=&limit=, answered with
{"workflow_runs": [tasks], "total_count": N} as in Forgejo's swagger,
ActionTaskResponse; Forgejo tokens go as "Authorization: token T") and
CHECKS each request: method, path, query,
the Authorization header and the JSON body fields. Every request is
appended to LOG as one JSON line (method, path, query, auth_ok, body,
answer) for the test to assert on; the tokens themselves are never logged.

usage: fake_vendor_api.py ADDR PORT DIR
  DIR/do_token, DIR/gh_token, DIR/fj_token  the expected tokens
  DIR/fj_tasks                optional: the Forgejo tasks' statuses, one
                              a line (waiting, running, success, ...)
  DIR/requests.log            the request log (written)
  DIR/fail                    optional "STATUS METHOD PATH-PREFIX": the next
                              matching request gets that error (then the
                              file is removed)
  DIR/busy                    optional: droplet names whose runner is busy
  DIR/next_base               optional "http://HOST:PORT": links.pages.next
                              points there instead of at this server (a
                              hostile answer sending clients elsewhere)
Stdlib only.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ADDR, PORT, DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
LOCK = threading.Lock()
DROPLETS = []          # the account's droplets (all tagged as created)
NEXT_ID = [3164000]
PAGE = 1               # tiny pages, so that clients must follow links.pages.next
SIZES = [
    {"slug": "s-1vcpu-1gb", "memory": 1024, "vcpus": 1, "disk": 25, "transfer": 1.0,
     "price_monthly": 6.0, "price_hourly": 0.00893, "regions": ["nyc3"], "available": True,
     "description": "Basic"},
    {"slug": "s-8vcpu-16gb-amd", "memory": 16384, "vcpus": 8, "disk": 320, "transfer": 6.0,
     "price_monthly": 84.0, "price_hourly": 0.125, "regions": ["nyc3"], "available": True,
     "description": "Basic AMD"},
]


def read(name):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip()
    except OSError:
        return ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj, headers=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ratelimit-limit", "5000")
        self.send_header("ratelimit-remaining", "4999")
        self.send_header("ratelimit-reset", str(int(time.time()) + 60))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        return status

    def record(self, entry):
        with LOCK, open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def handle_any(self, method):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"__unparsable__": raw.decode(errors="replace")}
        github = u.path.startswith("/repos/")
        forgejo = u.path.startswith("/api/v1/")
        if forgejo:
            auth_ok = self.headers.get("Authorization") == "token " + read("fj_token")
        else:
            want = read("gh_token" if github else "do_token")
            auth_ok = self.headers.get("Authorization") == "Bearer " + want
        entry = {"method": method, "path": u.path, "query": q, "auth_ok": auth_ok, "body": body,
                 "auth_present": self.headers.get("Authorization") is not None}
        if forgejo:
            entry["status"] = self.forgejo(method, u.path, q, auth_ok)
        else:
            entry["status"] = self.answer(method, u.path, q, body, auth_ok, github)
        self.record(entry)

    def injected(self, method, path):
        spec = read("fail").split()
        if len(spec) == 3 and spec[1] == method and path.startswith(spec[2]):
            os.unlink(os.path.join(DIR, "fail"))
            return int(spec[0])
        return 0

    def answer(self, method, path, q, body, auth_ok, github):
        if not auth_ok:
            if github:
                return self.send_json(401, {"message": "Bad credentials",
                                            "documentation_url": "https://docs.github.com/rest"})
            return self.send_json(401, {"id": "unauthorized", "message": "Unable to authenticate you"})
        fail = self.injected(method, path)
        if fail == 429:
            return self.send_json(429, {"id": "too_many_requests", "message": "API Rate limit exceeded."},
                                  {"retry-after": "60"})
        if fail:
            return self.send_json(fail, {"id": "server_error",
                                         "message": "Server was unable to give you a response."})
        if github:
            return self.github(method, path, q)
        return self.digitalocean(method, path, q, body)

    def digitalocean(self, method, path, q, body):
        if method == "GET" and path == "/v2/sizes":
            return self.send_json(200, {"sizes": SIZES, "links": {}, "meta": {"total": len(SIZES)}})
        if method == "GET" and path == "/v2/droplets":
            if "tag_name" not in q:
                return self.send_json(400, {"id": "bad_request", "message": "test expects tag_name"})
            with LOCK:
                mine = [d for d in DROPLETS if q["tag_name"] in d["tags"]]
            page = int(q.get("page", "1"))
            items = mine[(page - 1) * PAGE:page * PAGE]
            pages = {}
            if page * PAGE < len(mine):
                base = read("next_base") or "http://%s:%d" % (ADDR, PORT)
                pages["next"] = "%s/v2/droplets?page=%d&per_page=%d&tag_name=%s" % (
                    base, page + 1, PAGE, q["tag_name"])
            return self.send_json(200, {"droplets": items, "links": {"pages": pages},
                                        "meta": {"total": len(mine)}})
        if method == "POST" and path == "/v2/droplets":
            return self.create(body)
        if method == "DELETE" and path.startswith("/v2/droplets/"):
            did = path.rsplit("/", 1)[1]
            with LOCK:
                hit = [d for d in DROPLETS if str(d["id"]) == did]
                for d in hit:
                    DROPLETS.remove(d)
            if not hit:
                return self.send_json(404, {"id": "not_found",
                                            "message": "The resource you were accessing could not be found."})
            return self.send_json(204, None)
        return self.send_json(404, {"id": "not_found", "message": "no such endpoint in the stand-in"})

    def create(self, body):
        b = body if isinstance(body, dict) else {}
        names = b.get("names") or ([b["name"]] if "name" in b else None)
        missing = [k for k in ("region", "size", "image") if not isinstance(b.get(k), str)]
        if not names or len(names) > 10 or missing:
            return self.send_json(422, {"id": "unprocessable_entity",
                                        "message": "names (1-10), region, size and image are required; "
                                                   "missing %s" % missing})
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        made = []
        with LOCK:
            for nm in names:
                NEXT_ID[0] += 1
                d = {"id": NEXT_ID[0], "name": nm, "memory": 16384, "vcpus": 8, "disk": 320,
                     "locked": False, "status": "new", "created_at": now,
                     "size_slug": b["size"], "region": {"slug": b["region"]},
                     "image": {"slug": b["image"]}, "tags": b.get("tags") or [],
                     "networks": {"v4": [], "v6": []}}
                DROPLETS.append(d)
                made.append(d)
        # created droplets become active right away in the stand-in
        for d in made:
            d["status"] = "active"
        return self.send_json(202, {"droplets": made, "links": {"actions": [
            {"id": 1, "rel": "create", "href": "http://%s:%d/v2/actions/1" % (ADDR, PORT)}]}})

    def github(self, method, path, q):
        parts = path.split("/")
        if method == "GET" and len(parts) == 6 and parts[4:] == ["actions", "runners"]:
            busy = set(read("busy").split())
            with LOCK:
                runners = [{"id": i + 1, "name": d["name"], "os": "linux", "status": "online",
                            "busy": d["name"] in busy,
                            "labels": [{"id": 1, "name": "self-hosted", "type": "read-only"}]}
                           for i, d in enumerate(DROPLETS)]
            return self.send_json(200, {"total_count": len(runners), "runners": runners})
        if method == "GET" and len(parts) == 6 and parts[4:] == ["actions", "runs"]:
            if q.get("status") != "queued":
                return self.send_json(400, {"message": "test expects status=queued"})
            n = int(read("queued") or "0")
            return self.send_json(200, {"total_count": n, "workflow_runs": []})
        return self.send_json(404, {"message": "Not Found"})

    def forgejo(self, method, path, q, auth_ok):
        # Forgejo answers 401 {"message": "...", "url": ...} to a bad token
        if not auth_ok:
            return self.send_json(401, {"message": "token is required", "url": "https://forgejo.org/api/swagger"})
        fail = self.injected(method, path)
        if fail:
            return self.send_json(fail, {"message": "Internal Server Error", "url": ""})
        parts = path.split("/")
        # /api/v1/repos/{owner}/{repo}/actions/tasks
        if method != "GET" or len(parts) != 8 or parts[6:] != ["actions", "tasks"]:
            return self.send_json(404, {"message": "The target couldn't be found.", "url": "", "errors": []})
        if q.get("page") != "1" or not q.get("limit", "").isdigit():
            return self.send_json(400, {"message": "test expects page=1 and a numeric limit"})
        statuses = read("fj_tasks").split()
        tasks = [{"id": 100 + i, "name": "build", "head_branch": "main", "head_sha": "0" * 40,
                  "run_number": 100 + i, "event": "push", "display_title": "commit %d" % i,
                  "status": st, "workflow_id": "ci.yml",
                  "url": "http://%s:%d/%s/%s/actions/runs/%d" % (ADDR, PORT, parts[4], parts[5], 100 + i),
                  "created_at": "2025-01-31T12:00:00Z", "updated_at": "2025-01-31T12:00:00Z",
                  "run_started_at": "2025-01-31T12:00:00Z"}
                 for i, st in enumerate(statuses)]
        limit = int(q["limit"])
        return self.send_json(200, {"workflow_runs": tasks[:limit], "total_count": len(tasks)})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


ThreadingHTTPServer((ADDR, PORT), Handler).serve_forever()
