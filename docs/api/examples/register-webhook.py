# Needs API_URL and API_KEY; WEBHOOK_URL is your HTTPS receiver. The secret is in this response
# only (and from reveal-secret later): store it to verify signatures.
import json, os, urllib.request, uuid

API_URL, API_KEY = os.environ["API_URL"], os.environ["API_KEY"]
url = os.environ.get("WEBHOOK_URL", "https://hooks.example.com/integrations")

request = urllib.request.Request(f"{API_URL}/api/v1/webhook-endpoints", method="POST",
                                 data=json.dumps({"url": url, "event_types": ["invoice.paid", "invoice.failed"]}).encode(),
                                 headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json",
                                          "Idempotency-Key": str(uuid.uuid4())})
with urllib.request.urlopen(request) as response:
    endpoint = json.load(response)
print(endpoint["id"], endpoint["status"], "secret received" if endpoint["secret"].startswith("whsec_") else "NO SECRET")
assert endpoint["secret"].startswith("whsec_")
