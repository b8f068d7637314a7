namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// Encrypts secrets the platform must be able to use again (webhook signing secrets, connector
/// credentials) before they reach the event store or a table. Hashing is for secrets we only verify.
/// </summary>
public interface ISecretProtector
{
    string Protect(string plaintext);

    /// <summary>Throws when the value was tampered with or was protected under an unknown key.</summary>
    string Unprotect(string protectedValue);
}
