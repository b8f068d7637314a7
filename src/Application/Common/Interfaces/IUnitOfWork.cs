namespace Integrations.Application.Common.Interfaces;

/// <summary>One database transaction shared by every port used inside <see cref="ExecuteAsync{T}"/>.</summary>
public interface IUnitOfWork
{
    Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct);
}
