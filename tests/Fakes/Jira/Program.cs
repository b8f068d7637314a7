using Integrations.Fakes.Common;
using Integrations.Fakes.Common.OAuth;
using Integrations.Fakes.Jira;
using Microsoft.Extensions.Configuration.Memory;

// The Jira Cloud fake. Atlassian's quirks are its defaults (arguments still override them):
// OAuth 2.0 (3LO) at /authorize and /oauth/token (developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/),
// client id and secret in the token request's body, no PKCE, refresh tokens that rotate on every use
// (developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens/: a new one each time, the old one dead),
// sites as the core's accounts (--Accounts=<cloud id>=<site name>,…), the consent approving at once.
// The REST API v3 is under /ex/jira/{cloudid}/rest/api/3 as at api.atlassian.com for OAuth tokens, and under
// /rest/api/3 as at a site's own host for Basic with an e-mail and API token (--Auth:Users=email:token=<cloud id>).
var builder = FakeApp.CreateBuilder(args);
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData =
    [
        new("OAuth:AuthorizePath", "/authorize"),
        new("OAuth:TokenPath", "/oauth/token"),
        new("OAuth:RevocationPath", ""),
        new("OAuth:RefreshTokens", "SingleUse"),
        new("OAuth:ClientAuthMethods", "client_secret_post"),
        new("OAuth:Pkce", "Unsupported"),
        new("OAuth:Consent", "Approve"),
        new("OAuth:AccountParameter", "site"),
    ],
});
builder.Services.AddFakeOAuthServer();
builder.Services.AddFakeState<JiraSites>();
builder.Services.AddHttpClient();
builder.Services.AddFakeState<JiraWebhooks>();

var app = builder.Build();
app.UseFakeFoundation();
app.MapFakeOAuthServer();
foreach (var api in new[] { app.MapJiraRestApi(), app.MapJiraSiteHost() }) api.MapJiraSiteApi().MapJiraWorkflow();
app.MapJiraControlApi();

await FakeApp.RunAsync(app, "jira");
