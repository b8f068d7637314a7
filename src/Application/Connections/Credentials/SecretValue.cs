using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integrations.Application.Connections.Credentials;

/// <summary>
/// A secret text (an access or refresh token, an API key, a password) that does not show itself:
/// <see cref="ToString"/>, string interpolation, log templates, the debugger and JSON serialization
/// print nothing of it. <see cref="Reveal"/> hands the value to the code that sends it to the provider.
/// </summary>
[DebuggerDisplay("[secret]")]
[JsonConverter(typeof(RedactingJsonConverter))]
public sealed class SecretValue : IEquatable<SecretValue>
{
    public const string Redacted = "[secret]";

    private readonly string _value;

    public SecretValue(string value)
    {
        if (string.IsNullOrEmpty(value)) throw new ArgumentException("A secret value must not be empty.", nameof(value));
        _value = value;
    }

    /// <summary>The secret itself: call it where the value leaves for the provider, nowhere else.</summary>
    public string Reveal() => _value;

    public override string ToString() => Redacted;

    /// <summary>Compared in constant time: equality must not tell how much of a guess was right.</summary>
    public bool Equals(SecretValue? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(_value), Encoding.UTF8.GetBytes(other._value));

    public override bool Equals(object? obj) => obj is SecretValue other && Equals(other);

    /// <summary>Constant: a hash of the value would tell something about it.</summary>
    public override int GetHashCode() => 0;

    /// <summary>Writes <see cref="Redacted"/>; reading one from JSON is refused, so a redacted copy never passes for the secret.</summary>
    private sealed class RedactingJsonConverter : JsonConverter<SecretValue>
    {
        public override SecretValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new JsonException("Secret values are not read from JSON.");

        public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options) => writer.WriteStringValue(Redacted);
    }
}
