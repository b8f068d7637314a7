namespace Integrations.Domain.Common;

/// <summary>A business rule refused a command. <see cref="Code"/> is a stable machine-readable code.</summary>
public class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
