using System.Text.Json;
using Integrations.Application.Connections.Credentials;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>The credential value type never prints its secrets, however it is printed.</summary>
public class ConnectionCredentialTests
{
    private const string AccessToken = "at_planted_7f3a";
    private const string RefreshToken = "rt_planted_91c2";
    private const string ApiKey = "key_planted_55e0";
    private const string Password = "pw_planted_0d4b";
    private const string Username = "user_planted_a1";
    private static readonly string[] Planted = [AccessToken, RefreshToken, ApiKey, Password, Username, "extra_value_planted"];

    public static TheoryData<string> Kinds => ["oauth2", "api_key", "basic"];

    private static ConnectionCredential Credential(string kind) => kind switch
    {
        "oauth2" => ConnectionCredential.OAuth2(AccessToken, RefreshToken, DateTimeOffset.UnixEpoch.AddYears(60), ["read", "write"],
            new Dictionary<string, string> { ["instance_url"] = "extra_value_planted" }),
        "api_key" => ConnectionCredential.ForApiKey(ApiKey, new Dictionary<string, string> { ["region"] = "extra_value_planted" }),
        _ => ConnectionCredential.ForBasic(Username, Password),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void No_way_of_printing_a_credential_shows_a_secret(string kind)
    {
        var credential = Credential(kind);
        var stored = new StoredCredential(Guid.NewGuid(), Guid.NewGuid(), 3, credential, DateTimeOffset.UtcNow, null);

        var printed = new[]
        {
            credential.ToString(), $"{credential}", stored.ToString(), JsonSerializer.Serialize(credential), JsonSerializer.Serialize(stored),
            $"{credential.AccessToken} {credential.RefreshToken} {credential.ApiKey} {credential.Password}", string.Format("{0}", credential.Password),
        };

        foreach (var text in printed)
            foreach (var secret in Planted)
                text.ShouldNotContain(secret, Case.Sensitive, text);
        JsonSerializer.Serialize(credential).ShouldContain("\"[secret]\"");
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<ConnectionCredential>(JsonSerializer.Serialize(credential)));
        credential.ToString().ShouldContain(kind switch { "oauth2" => "access_token, refresh_token", "api_key" => "api_key", _ => "password" });
        stored.ToString().ShouldContain("Version = 3");
    }

    [Fact]
    public void The_secrets_are_there_for_the_code_that_sends_them_and_compare_by_value()
    {
        var credential = Credential("oauth2");

        credential.AccessToken!.Reveal().ShouldBe(AccessToken);
        credential.RefreshToken!.ShouldBe(new SecretValue(RefreshToken));
        credential.RefreshToken.ShouldNotBe(new SecretValue(RefreshToken + "x"));
        Should.Throw<ArgumentException>(() => new SecretValue(""));
    }

    [Fact]
    public void A_credential_without_what_its_kind_needs_is_refused()
    {
        Should.Throw<ArgumentException>(() => new ConnectionCredential { Kind = CredentialKind.OAuth2 }.EnsureComplete());
        Should.Throw<ArgumentException>(() => new ConnectionCredential { Kind = CredentialKind.ApiKey }.EnsureComplete());
        Should.Throw<ArgumentException>(() => new ConnectionCredential { Kind = CredentialKind.Basic, Password = new SecretValue("p") }.EnsureComplete());
        Should.Throw<ArgumentException>(() => (Credential("api_key") with { Password = new SecretValue("p") }).EnsureComplete());
        var refused = Should.Throw<ArgumentException>(() => (Credential("oauth2") with { ApiKey = new SecretValue(ApiKey) }).EnsureComplete());
        refused.Message.ShouldNotContain(ApiKey);
        foreach (var kind in new[] { "oauth2", "api_key", "basic" }) Credential(kind).EnsureComplete();
    }
}
