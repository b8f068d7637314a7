using System.Globalization;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.OAuth;
using Shouldly;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>What Upgrade/manifest.json recorded about members, apps and grants, in the shapes the tests use.</summary>
public static class UpgradeManifest
{
    private static JsonElement Manifest => UpgradedSystem.Manifest;

    /// <summary>The invited and active members (the API's list), each with its tenant label.</summary>
    public static IReadOnlyList<JsonElement> Members => [.. Manifest.GetProperty("members").GetProperty("list").EnumerateArray()];

    public static JsonElement Member(string email) => Members.Single(m => m.GetProperty("email").GetString() == email);

    public static Guid TenantId(string label) =>
        Manifest.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("label").GetString() == label).GetProperty("id").GetGuid();

    public static string ApiKey(string label) =>
        Manifest.GetProperty("api_keys_plaintext").EnumerateArray()
            .First(k => k.GetProperty("tenant").GetString() == label && !k.GetProperty("revoked").GetBoolean()).GetProperty("key").GetString()!;

    /// <summary>The app as a client of the token endpoint: its recorded client_id and secret, and one of its redirect URIs.</summary>
    public static RegisteredApp App(string name, string redirectUri)
    {
        var app = Manifest.GetProperty("oauth_apps").EnumerateArray().Single(a => a.GetProperty("name").GetString() == name);
        app.GetProperty("redirect_uris").EnumerateArray().Select(u => u.GetString()).ShouldContain(redirectUri);
        return new RegisteredApp(app.GetProperty("id").GetGuid(), app.GetProperty("client_id").GetString()!,
            app.GetProperty("client_secret").ValueKind == JsonValueKind.String ? app.GetProperty("client_secret").GetString() : null, redirectUri);
    }

    /// <summary>The member grant (authorization code, with its recorded refresh token) of the app.</summary>
    public static JsonElement Grant(string appName) =>
        Manifest.GetProperty("oauth_grants").EnumerateArray().Single(g => g.GetProperty("app").GetString() == appName && g.TryGetProperty("refresh_token", out _));

    /// <summary>
    /// Every field of <paramref name="expected"/> (as the old release's API answered) that the API still
    /// answers is the same: timestamps as instants, everything else as JSON values.
    /// </summary>
    public static void ShouldMatch(JsonElement actual, JsonElement expected)
    {
        var compared = 0;
        foreach (var field in expected.EnumerateObject())
        {
            if (!actual.TryGetProperty(field.Name, out var value)) continue;
            compared++;
            if (field.Value.ValueKind == JsonValueKind.String && value.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(field.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var expectedTime)
                && field.Value.GetString()!.Contains('T', StringComparison.Ordinal))
                DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture).ShouldBe(expectedTime, field.Name);
            else
                JsonElement.DeepEquals(value, field.Value).ShouldBeTrue($"{field.Name}: {value} instead of {field.Value}");
        }
        compared.ShouldBeGreaterThan(3, "the API still answers the recorded fields");
    }

    /// <summary>The whole table as one JSON text, rows by id: equal dumps mean equal tables.</summary>
    public static Task<string> DumpAsync(TestSystem system, string table) =>
        system.ScalarAsync<string>($"select coalesce(jsonb_agg(to_jsonb(t) order by id), '[]'::jsonb)::text from {table} t");
}
