using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventSourcing;

/// <summary>The one projection of es_events into <see cref="StoredEvent"/>, shared by stream reads and rebuilds.</summary>
internal static class StoredEventRows
{
    public const string Select =
        "select event_id, stream_id, stream_version, global_seq, event_type, data, metadata, created_at from es_events";

    public static StoredEvent Read(NpgsqlDataReader reader, EventTypeRegistry registry)
    {
        var eventType = reader.GetString(4);
        return new StoredEvent(
            reader.GetGuid(0),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetInt64(3),
            eventType,
            registry.Deserialize(eventType, reader.GetString(5)),
            DeserializeMetadata(reader.GetString(6)),
            reader.GetFieldValue<DateTimeOffset>(7));
    }

    /// <summary>What an append's <c>returning event_id, global_seq, created_at</c> gave back, by event id.</summary>
    public static async Task<Dictionary<Guid, (long GlobalSequence, DateTimeOffset CreatedAt)>> ReadWrittenAsync(NpgsqlCommand insert, CancellationToken ct)
    {
        var written = new Dictionary<Guid, (long GlobalSequence, DateTimeOffset CreatedAt)>();
        await using var reader = await insert.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) written[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2));
        return written;
    }

    public static string SerializeMetadata(EventMetadata metadata) => JsonSerializer.Serialize(metadata, JsonDefaults.Options);

    private static EventMetadata DeserializeMetadata(string json) =>
        JsonSerializer.Deserialize<EventMetadata>(json, JsonDefaults.Options) ?? throw new JsonException("Stored event has empty metadata.");
}
