using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Projections.Queries.ListProjections;

/// <param name="Lifecycle">inline (applied in the appending transaction: never behind) or async (Marten's daemon).</param>
/// <param name="Position">The global sequence of the last event it applied.</param>
/// <param name="Lag">Events of the log it has not applied yet (high-water mark minus position).</param>
public sealed record ProjectionStatusDto(string Name, string Lifecycle, long Position, long HighWaterMark, long Lag, DateTimeOffset? LastUpdatedAt);

public sealed record ProjectionsDto(long HighWaterMark, IReadOnlyList<ProjectionStatusDto> Data);

/// <summary>Admin: every read model with how far behind the event log it is.</summary>
public sealed record ListProjectionsQuery : IQuery<ProjectionsDto>;

public sealed class ListProjectionsQueryHandler(IProjectionStatus status) : IRequestHandler<ListProjectionsQuery, ProjectionsDto>
{
    public async Task<ProjectionsDto> Handle(ListProjectionsQuery request, CancellationToken cancellationToken)
    {
        var (highWaterMark, projections) = await status.ReadAsync(cancellationToken);
        return new ProjectionsDto(highWaterMark, projections
            .Select(p => new ProjectionStatusDto(p.Name, p.Inline ? "inline" : "async", p.Inline ? highWaterMark : p.Position, highWaterMark,
                p.Inline ? 0 : Math.Max(0, highWaterMark - p.Position), p.LastUpdatedAt))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList());
    }
}
