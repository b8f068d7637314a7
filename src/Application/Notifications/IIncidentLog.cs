namespace Integrations.Application.Notifications;

/// <summary>
/// Opens and resolves incidents (Domain/Notifications/Incident): one notice when a persistent
/// failure starts, one when it clears, however often it recurs in between. Runs inside the caller's
/// unit of work, so the incident commits with the change that caused it. The notifications feature
/// (in-app list, e-mail) reads what this writes.
/// </summary>
public interface IIncidentLog
{
    /// <param name="kind">One of IncidentKinds (connection.needs_reauth …).</param>
    /// <param name="subjectId">What failed: the connection or webhook endpoint.</param>
    /// <param name="summary">One line for the tenant; never a secret, never a provider's raw answer.</param>
    Task OpenAsync(Guid tenantId, string kind, Guid subjectId, string summary, string? detail, CancellationToken ct);

    /// <summary>Resolves the open incident of this kind and subject, if there is one; nothing otherwise.</summary>
    Task ResolveAsync(Guid tenantId, string kind, Guid subjectId, string summary, CancellationToken ct);
}
