"""A second ZooKeeper client for the Kafka tests: writes znodes as Kafka would, with kazoo (not our client).

One JSON command per stdin line, one JSON answer per stdout line ({"ok": true, ...} or {"ok": false, "error": ...}).
Several named sessions ("client") can be open at once, so each broker's ephemeral registration lives in its own
session and can expire alone, as a real broker's does.
  {"op": "open", "client": "b1"}
  {"op": "create", "client": "b1", "path": "/brokers/ids/1", "data": "...", "ephemeral": true}
  {"op": "set", "path": "...", "data": "..."}
  {"op": "delete", "path": "...", "recursive": true}
  {"op": "txn", "ops": [{"op": "set"|"create"|"delete", ...}]}   # one ZooKeeper transaction
  {"op": "close", "client": "b1"}                                   # ends the session: its ephemerals go
"""
import json
import sys

from kazoo.client import KazooClient

hosts = sys.argv[1]
clients = {}


def client(name):
    name = name or "main"
    if name not in clients:
        c = KazooClient(hosts=hosts, timeout=30)
        c.start(timeout=30)
        clients[name] = c
    return clients[name]


def data_of(cmd):
    if "size" in cmd:
        return b"x" * int(cmd["size"])
    return cmd.get("data", "").encode("utf-8")


def run(cmd):
    op = cmd["op"]
    if op == "open":
        client(cmd.get("client"))
        return {}
    if op == "close":
        c = clients.pop(cmd.get("client") or "main", None)
        if c is not None:
            c.stop()
            c.close()
        return {}
    c = client(cmd.get("client"))
    if op == "create":
        path = c.create(cmd["path"], data_of(cmd), ephemeral=bool(cmd.get("ephemeral")), makepath=True)
        stat = c.exists(path)
        return {"path": path, "czxid": stat.czxid}
    if op == "set":
        stat = c.set(cmd["path"], data_of(cmd))
        return {"version": stat.version}
    if op == "delete":
        c.delete(cmd["path"], recursive=bool(cmd.get("recursive")))
        return {}
    if op == "txn":
        t = c.transaction()
        for sub in cmd["ops"]:
            if sub["op"] == "create":
                t.create(sub["path"], data_of(sub), ephemeral=bool(sub.get("ephemeral")))
            elif sub["op"] == "set":
                t.set_data(sub["path"], data_of(sub))
            elif sub["op"] == "delete":
                t.delete(sub["path"])
            else:
                raise ValueError("unknown transaction op " + sub["op"])
        results = t.commit()
        failed = [str(r) for r in results if isinstance(r, Exception)]
        if failed:
            raise RuntimeError("transaction failed: " + ", ".join(failed))
        return {}
    raise ValueError("unknown op " + op)


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        answer = run(json.loads(line))
        answer["ok"] = True
    except Exception as e:  # every failure goes back to the test, which fails with it
        answer = {"ok": False, "error": type(e).__name__ + ": " + str(e)}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()

for c in clients.values():
    c.stop()
    c.close()
