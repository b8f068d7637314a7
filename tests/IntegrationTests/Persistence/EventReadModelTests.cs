using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Events.Queries.GetEvent;
using Integrations.Application.Events.Queries.ListEvents;
using Integrations.Domain.Events;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Integrations.IntegrationTests.Persistence;

public sealed class EventReadModelTests : PersistenceTestBase
{
    private static readonly string[] Types = ["invoice.paid", "user.joined", "entity.created"];
    private readonly Guid _tenant = Guid.CreateVersion7();
    private readonly Guid _other = Guid.CreateVersion7();

    [Fact]
    public async Task Paging_forward_then_back_visits_every_event_once_in_order()
    {
        var expected = await SeedAsync(23, 9);

        var forward = new List<CursorPage<EventDto>> { await ListAsync(limit: 5) };
        while (forward[^1].NextCursor is { } next) forward.Add(await ListAsync(limit: 5, cursor: next));

        forward.Count.ShouldBe(5);
        forward.SelectMany(p => p.Data).Select(e => e.Sequence).ShouldBe(expected);
        forward[0].PreviousCursor.ShouldBeNull();
        forward.Take(4).ShouldAllBe(p => p.HasMore && p.Data.Count == 5);
        forward[^1].HasMore.ShouldBeFalse();
        forward[^1].Data.Count.ShouldBe(3);
        forward.Skip(1).ShouldAllBe(p => p.PreviousCursor != null);

        var backward = new List<CursorPage<EventDto>> { forward[^1] };
        while (backward[^1].PreviousCursor is { } previous) backward.Add(await ListAsync(limit: 5, cursor: previous));

        backward.Count.ShouldBe(5);
        backward.AsEnumerable().Reverse().SelectMany(p => p.Data).Select(e => e.Sequence).ShouldBe(expected);
        // Coming back lands on exactly the pages seen going forward.
        backward.AsEnumerable().Reverse().Select(p => p.Data.Select(e => e.Sequence).ToList()).ShouldBe(forward.Select(p => p.Data.Select(e => e.Sequence).ToList()));
        backward.Skip(1).SkipLast(1).ShouldAllBe(p => p.HasMore && p.NextCursor != null);
        backward[^1].HasMore.ShouldBeFalse();
        backward[^1].PreviousCursor.ShouldBeNull();
        backward[^1].NextCursor.ShouldNotBeNull();
    }

    [Fact]
    public async Task Pages_stay_stable_when_events_arrive_between_fetches()
    {
        var expected = await SeedAsync(12, 0);
        var first = await ListAsync(limit: 4);

        var arrived = new List<long>();
        for (var i = 0; i < 3; i++) arrived.Add((await AcceptEventAsync(_tenant, "invoice.paid", 100 + i)).GlobalSequences[0]);
        var rest = new List<EventDto>();
        for (var cursor = first.NextCursor; cursor is not null;)
        {
            var page = await ListAsync(limit: 4, cursor: cursor);
            rest.AddRange(page.Data);
            cursor = page.NextCursor;
        }

        first.Data.Concat(rest).Select(e => e.Sequence).ShouldBe(expected);
        var second = await ListAsync(limit: 4, cursor: first.NextCursor);
        var newer = await ListAsync(limit: 4, cursor: second.PreviousCursor);
        newer.Data.Select(e => e.Sequence).ShouldBe(first.Data.Select(e => e.Sequence));
        newer.HasMore.ShouldBeTrue(); // the three that arrived are newer still
        var newest = await ListAsync(limit: 4, cursor: newer.PreviousCursor);
        newest.Data.Select(e => e.Sequence).ShouldBe(arrived.AsEnumerable().Reverse());
        newest.HasMore.ShouldBeFalse();
        newest.PreviousCursor.ShouldBeNull();
    }

    [Fact]
    public async Task A_tenant_sees_only_its_own_events()
    {
        await SeedAsync(6, 4);

        var mine = await ListAsync(limit: 100);
        var theirs = await ListAsync(limit: 100, tenant: _other);

        mine.Data.Count.ShouldBe(6);
        mine.Data.ShouldAllBe(e => e.TenantId == _tenant);
        theirs.Data.Count.ShouldBe(4);
        theirs.Data.ShouldAllBe(e => e.TenantId == _other);
        (await FindAsync(_other, mine.Data[0].Id)).ShouldBeNull();
        (await FindAsync(_tenant, mine.Data[0].Id)).ShouldBe(mine.Data[0], new EventComparer());
        await Should.ThrowAsync<NotFoundException>(() => SendAsync(new GetEventQuery(_other, mine.Data[0].Id)));
    }

    [Fact]
    public async Task The_event_type_filter_pages_over_matching_events_only()
    {
        await SeedAsync(20, 6);
        var all = (await ListAsync(limit: 100)).Data;
        var paid = all.Where(e => e.EventType == "invoice.paid").Select(e => e.Sequence).ToList();

        var seen = new List<long>();
        for (string? cursor = null; ;)
        {
            var page = await ListAsync(limit: 3, cursor: cursor, eventType: "invoice.paid");
            page.Data.ShouldAllBe(e => e.EventType == "invoice.paid" && e.TenantId == _tenant);
            seen.AddRange(page.Data.Select(e => e.Sequence));
            if ((cursor = page.NextCursor) is null) break;
        }

        paid.Count.ShouldBe(7);
        seen.ShouldBe(paid);
        ShouldBeEmpty(await ListAsync(limit: 10, eventType: "invoice.failed"));
    }

    [Fact]
    public async Task Event_rows_carry_the_payload_and_follow_dispatch()
    {
        var id = Guid.CreateVersion7();
        var timestamp = Now();
        var append = await AppendAsync(IngestedEventDecider.StreamId(id), 0, _tenant,
            new EventAccepted(id, _tenant, "invoice.paid", """{"amount": 1250, "currency": "EUR", "lines": [{"sku": "a"}]}""", timestamp));

        var accepted = (await FindAsync(_tenant, id))!;
        accepted.Status.ShouldBe("accepted");
        accepted.DispatchedAt.ShouldBeNull();
        accepted.Timestamp.ShouldBe(timestamp);
        accepted.Sequence.ShouldBe(append.GlobalSequences[0]);
        accepted.Data.GetProperty("amount").GetInt32().ShouldBe(1250);
        accepted.Data.GetProperty("lines")[0].GetProperty("sku").GetString().ShouldBe("a");

        var dispatchedAt = Now();
        await AppendAsync(IngestedEventDecider.StreamId(id), 1, _tenant, new EventDispatched(id, _tenant, dispatchedAt));

        var dispatched = (await FindAsync(_tenant, id))!;
        dispatched.Status.ShouldBe("dispatched");
        dispatched.DispatchedAt.ShouldBe(dispatchedAt);
        dispatched.Sequence.ShouldBe(accepted.Sequence);
    }

    [Theory]
    [InlineData("not-a-cursor!")]
    [InlineData("eDo1")] // "x:5"
    [InlineData("YTotMQ")] // "a:-1"
    public async Task An_invalid_cursor_is_a_validation_error(string cursor)
    {
        var error = await Should.ThrowAsync<ValidationException>(() => ListAsync(10, cursor));

        error.Errors.Single().Code.ShouldBe("invalid_cursor");
    }

    [Fact]
    public async Task An_empty_log_gives_an_empty_first_page()
    {
        ShouldBeEmpty(await ListAsync(limit: 10));
    }

    private static void ShouldBeEmpty(CursorPage<EventDto> page)
    {
        page.Data.ShouldBeEmpty();
        page.NextCursor.ShouldBeNull();
        page.PreviousCursor.ShouldBeNull();
        page.HasMore.ShouldBeFalse();
    }

    /// <summary>Appends events for the tenant and for another one, interleaved; returns the tenant's sequences newest first.</summary>
    private async Task<List<long>> SeedAsync(int mine, int theirs)
    {
        var sequences = new List<long>();
        for (var i = 0; i < Math.Max(mine, theirs); i++)
        {
            if (i < mine) sequences.Add((await AcceptEventAsync(_tenant, Types[i % Types.Length], i)).GlobalSequences[0]);
            if (i < theirs) await AcceptEventAsync(_other, Types[i % Types.Length], i);
        }
        sequences.Reverse();
        return sequences;
    }

    private async Task<CursorPage<EventDto>> ListAsync(int limit, string? cursor = null, string? eventType = null, Guid? tenant = null)
    {
        var filters = eventType is null ? null : new Dictionary<string, string> { ["event_type"] = eventType };
        var query = ListQueryParser.Parse(ListEventsQuery.Spec, new ListParameters(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), cursor, Filters: filters));
        return await SendAsync(new ListEventsQuery(tenant ?? _tenant, query));
    }

    private Task<EventDto?> FindAsync(Guid tenantId, Guid eventId) =>
        InScopeAsync(provider => provider.GetRequiredService<IEventReadModel>().FindAsync(tenantId, eventId, CancellationToken.None));

    /// <summary>JsonElement has no value equality; compare the payload by its text.</summary>
    private sealed class EventComparer : IEqualityComparer<EventDto>
    {
        public bool Equals(EventDto? x, EventDto? y) =>
            x is not null && y is not null && x with { Data = default } == y with { Data = default } && x.Data.GetRawText() == y.Data.GetRawText();

        public int GetHashCode(EventDto obj) => obj.Id.GetHashCode();
    }
}
