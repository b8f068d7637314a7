using Integrations.IntegrationTests.Connections;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>
/// The API's request log, with the log levels it ships with: one line per request, by route template; a query's values
/// (an OAuth code in a connect callback) are in no log line. Paths are in every line's scope (ASP.NET Core's RequestPath),
/// which is why no URL of ours carries a secret in its path.
/// </summary>
public class RequestLogTests(VaultSystem system) : IClassFixture<VaultSystem>
{
    [Fact]
    public async Task Requests_are_logged_by_route_template_and_no_line_holds_a_querys_values()
    {
        var code = "code_planted_" + Guid.NewGuid().ToString("N");
        var id = Guid.NewGuid();
        var logs = new CapturingLoggerProvider();
        // Only our categories are opened to the capture; ASP.NET Core's keep the levels of appsettings.json.
        var (api, address) = await system.StartApiInstanceAsync(b => b.Logging.AddProvider(logs).AddFilter<CapturingLoggerProvider>("Integrations", LogLevel.Information));
        try
        {
            using var anonymous = new HttpClient { BaseAddress = address };
            await anonymous.GetAsync($"/connect/callback/hubspot?code={code}&state={id:N}");
            await anonymous.GetAsync($"/api/v1/webhook-endpoints/{id}");
            await anonymous.GetAsync($"/nothing/here?code={code}");

            var lines = logs.Entries.Select(e => $"{e.Category} {e.Message} {e.Scopes} {e.Exception}").ToList();
            lines.ShouldContain(l => l.Contains("HTTP GET /connect/callback/{provider} answered"));
            lines.ShouldContain(l => l.Contains("HTTP GET /api/v1/webhook-endpoints/{id:guid} answered 401"));
            lines.ShouldContain(l => l.Contains("HTTP GET (no route) answered 404"));
            lines.Where(l => l.Contains(code) || l.Contains(id.ToString("N"))).ShouldBeEmpty("a query's values were logged");
            logs.Entries.Where(e => e.Message.Contains(id.ToString())).ShouldBeEmpty("a request line names the path, not the route");
        }
        finally
        {
            await api.StopAsync();
            await api.DisposeAsync();
        }
    }
}
