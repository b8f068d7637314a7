using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure;

/// <summary>UTC now, truncated to microseconds: what PostgreSQL's timestamptz keeps, so values round-trip exactly.</summary>
public sealed class SystemClock : IClock
{
    public DateTimeOffset UtcNow
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            return now.AddTicks(-(now.Ticks % 10));
        }
    }
}
