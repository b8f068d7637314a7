namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// Tells the caches of who a credential is (API keys and their tenant's plan, in every API process)
/// that one changed, once the unit of work commits: a revoked key is refused at once, not when a
/// cache entry would have aged out. The database announces the same change to the other processes
/// by itself; this makes the process that made it forget first.
/// </summary>
public interface ICredentialChanges
{
    void AnnounceAfterCommit();
}
