namespace Integrations.Application.WebhookEndpoints;

/// <summary>Settings of endpoint management (configuration section "Webhooks").</summary>
public sealed class WebhookEndpointOptions
{
    public static readonly TimeSpan DefaultSecretRotationOverlap = TimeSpan.FromHours(24);

    /// <summary>How long a rotated-out secret keeps signing beside the new one (Webhooks:SecretRotationOverlap).</summary>
    public TimeSpan SecretRotationOverlap { get; init; } = DefaultSecretRotationOverlap;
}
