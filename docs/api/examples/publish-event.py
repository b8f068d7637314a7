# Needs API_URL and API_KEY. Retries on 429 after Retry-After seconds; the Idempotency-Key makes any
# retry safe: a repeat returns the first result instead of publishing twice.
import json, os, time, urllib.error, urllib.request

API_URL, API_KEY = os.environ["API_URL"], os.environ["API_KEY"]

def publish(event_type, data, idempotency_key):
    body = json.dumps({"event_type": event_type, "data": data}).encode()
    while True:
        request = urllib.request.Request(f"{API_URL}/api/v1/events", data=body, method="POST", headers={
            "Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json", "Idempotency-Key": idempotency_key})
        try:
            with urllib.request.urlopen(request) as response:
                return json.load(response), response.headers.get("Idempotent-Replayed") == "true"
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise RuntimeError(json.load(error)["error"])
            time.sleep(int(error.headers["Retry-After"]))

data = {"invoice_id": "in_1Qx9", "amount_cents": 1500, "currency": "EUR"}
first, _ = publish("invoice.paid", data, "invoice-in_1Qx9-paid")
again, replayed = publish("invoice.paid", data, "invoice-in_1Qx9-paid")
print(first["id"], "replayed" if again["id"] == first["id"] else "DUPLICATE", replayed)
assert again["id"] == first["id"] and replayed
