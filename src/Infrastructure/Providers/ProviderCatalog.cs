using System.Text.RegularExpressions;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Integrations.Domain.Inbound;
using Microsoft.Extensions.Configuration;

namespace Integrations.Infrastructure.Providers;

/// <summary>A provider the platform knows by itself (its folder under Providers/ registers it); configuration may override any part.</summary>
public sealed record BuiltInProvider(ProviderDefinition Definition);

/// <summary>Our OAuth client at a provider (the app registered there); only the token exchange reads the secret.</summary>
public sealed record ProviderClient(string ClientId, string ClientSecret)
{
    public override string ToString() => $"ProviderClient {{ ClientId = {ClientId} }}";
}

/// <summary>
/// The built-in providers with the configuration's overrides (<c>Providers:&lt;id&gt;:…</c>), plus
/// providers defined wholly in configuration (an OAuth 2.0 or API-key JSON API the generic HTTP
/// action can call). Read once; a mistake in the configuration stops the host at start-up, naming the setting.
/// </summary>
public sealed partial class ProviderCatalog : IProviderCatalog
{
    public const string Section = "Providers";

    private readonly Dictionary<string, ProviderDefinition> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IInboundVerifier> _inboundVerifiers = new(StringComparer.Ordinal);

    public ProviderCatalog(IEnumerable<BuiltInProvider> builtIn, IConfiguration configuration)
    {
        foreach (var provider in builtIn) _providers[provider.Definition.Id] = provider.Definition;
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            var id = section.Key;
            if (!IdPattern().IsMatch(id))
                throw new InvalidOperationException($"{Section}:{id}: a provider id is 2 to 40 lower-case letters, digits and dashes, starting with a letter.");
            if (section.GetValue<bool?>("Enabled") == false)
            {
                _providers.Remove(id);
                continue;
            }
            _providers[id] = ProviderSettings.Read(_providers.GetValueOrDefault(id), id, section);
            if (_providers[id].Inbound is { } inbound)
                _inboundVerifiers[id] = InboundVerifiers.ForProvider(inbound.Verifier, section["Inbound:Secret"]!, section["Inbound:Username"]);
            if (section["ClientId"] is { Length: > 0 } clientId)
                _clients[id] = new ProviderClient(clientId, section["ClientSecret"] ?? "");
        }
    }

    public IReadOnlyList<ProviderDefinition> All => _providers.Values.ToList();

    public ProviderDefinition? Find(string id) => _providers.GetValueOrDefault(id);

    public bool HasOAuthClient(string id) => _clients.ContainsKey(id);

    public string? OAuthClientId(string id) => _clients.GetValueOrDefault(id)?.ClientId;

    /// <summary>Our OAuth client at the provider, or null when it is not configured.</summary>
    public ProviderClient? Client(string id) => _clients.GetValueOrDefault(id);

    public IInboundVerifier? InboundVerifier(string id) => _inboundVerifiers.GetValueOrDefault(id);

    public IInboundVerifier? ClientJwtVerifier(string id) =>
        _clients.GetValueOrDefault(id) is { ClientSecret.Length: > 0 } client ? new AtlassianJwtVerifier(System.Text.Encoding.UTF8.GetBytes(client.ClientSecret)) : null;

    public IInboundVerifier? ClientSecretVerifier(string id, string verifierKind) =>
        _clients.GetValueOrDefault(id) is { ClientSecret.Length: > 0 } client ? InboundVerifiers.ForProvider(verifierKind, client.ClientSecret) : null;

    [GeneratedRegex("^[a-z][a-z0-9-]{1,39}$")]
    private static partial Regex IdPattern();
}
