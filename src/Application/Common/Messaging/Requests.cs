using MediatR;

namespace Integrations.Application.Common.Messaging;

/// <summary>A request that changes state: it runs inside one transaction (see TransactionBehaviour).</summary>
public interface ICommand<out TResponse> : IRequest<TResponse>;

public interface IQuery<out TResponse> : IRequest<TResponse>;

/// <summary>
/// A request that changes state by joining a group commit: its handler hands it to a writer that
/// commits many such requests in one transaction, each with its idempotency record. It runs in no
/// transaction of its own, and it keeps its Idempotency-Key itself (no IdempotencyBehaviour).
/// </summary>
public interface IGroupCommittedCommand<out TResponse> : IRequest<TResponse>;

/// <summary>
/// A command that honours an Idempotency-Key: the first result is stored with a hash of the request
/// and replayed for a repeat; the same key with a different request is a conflict.
/// </summary>
public interface IIdempotentCommand
{
    /// <summary>Whose keys these are (a tenant id, or "admin"): keys never collide across tenants.</summary>
    string IdempotencyScope { get; }

    string? IdempotencyKey { get; }
}
