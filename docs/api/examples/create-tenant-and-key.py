# Needs API_URL and ADMIN_KEY. Creates a tenant and an API key for it; prints the key (shown only once).
import json, os, urllib.request, uuid

API_URL, ADMIN_KEY = os.environ["API_URL"], os.environ["ADMIN_KEY"]

def post(path, body=None, headers=None):
    request = urllib.request.Request(API_URL + path, method="POST", data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request) as response:  # raises HTTPError on 4xx/5xx
        return json.load(response)

tenant = post("/api/v1/tenants", {"name": "Acme", "plan": "pro"}, {"Idempotency-Key": str(uuid.uuid4())})
key = post(f"/api/v1/tenants/{tenant['id']}/api-keys")

print(f"TENANT_ID={tenant['id']}")
print(f"API_KEY={key['key']}")
