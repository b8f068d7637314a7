# Needs API_URL and API_KEY. Up to 100 events in one request (e.g. a backfill): all are stored, in
# this order, or none is; an invalid one is named by its index (details[].field "events[2].data…").
# Retries on 429; the Idempotency-Key makes a retry of the whole batch safe.
import json, os, time, urllib.error, urllib.request

API_URL, API_KEY = os.environ["API_URL"], os.environ["API_KEY"]

def publish_batch(events, idempotency_key):
    body = json.dumps({"events": events}).encode()
    while True:
        request = urllib.request.Request(f"{API_URL}/api/v1/events/batch", data=body, method="POST", headers={
            "Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json", "Idempotency-Key": idempotency_key})
        try:
            with urllib.request.urlopen(request) as response:
                return json.load(response)["data"]
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise RuntimeError(json.load(error)["error"])
            time.sleep(int(error.headers["Retry-After"]))

users = [{"event_type": "user.joined", "data": {"user_id": user_id}} for user_id in ("usr_301", "usr_302", "usr_303")]
for event, sent in zip(publish_batch(users, "import-users-part-1"), users):
    print(event["id"], event["event_type"], sent["data"]["user_id"])

try:
    publish_batch(users + [{"event_type": "user.joined", "data": {}}], "import-users-part-2")
    raise SystemExit("unreachable: the fourth event lacks user_id")
except RuntimeError as error:
    details = error.args[0]["details"]
    print(error.args[0]["code"], [d["field"] for d in details])  # validation_failed ['events[3].data.user_id']
    assert any(d["field"].startswith("events[3].data") for d in details)
