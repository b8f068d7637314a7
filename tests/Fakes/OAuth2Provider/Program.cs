using Integrations.Fakes.Common;
using Integrations.Fakes.Common.Auth;
using Integrations.Fakes.Common.OAuth;
using Integrations.Fakes.OAuth2Provider;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

// The generic OAuth 2.0 provider: what the platform's generic `http` connector and its health checks
// call. Settings come from arguments or the environment (tests/Fakes/README.md):
//   --Client:Id=… --Client:Secret=… --Client:RedirectUris=…   --OAuth:RefreshTokens=Rotating …
//   --Auth:Mode=ApiKey --Auth:ApiKeys=key=account   --RateLimit:Limit=100 --RateLimit:WindowSeconds=60
var builder = FakeApp.CreateBuilder(args);
builder.Services.AddFakeOAuthServer();
builder.Services.AddFakeState<RecordStore>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapFakeOAuthServer();

var api = app.MapGroup("/api").RequireFakeAuthentication();
// The account the credentials reach: the identity a connection stores, and the health-check call.
api.MapGet("/me", (HttpContext context) =>
{
    var account = ResourceAuthentication.AccountOf(context);
    return Results.Ok(new { id = account.Id, name = account.Name });
});
api.MapRecords();

await FakeApp.RunAsync(app, "oauth2-provider");
