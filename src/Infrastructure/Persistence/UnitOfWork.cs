using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Persistence;

public sealed class UnitOfWork(DbSession session) : IUnitOfWork
{
    public Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct) => session.InTransactionAsync(work, ct);
}
