using System.Globalization;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.HubSpot;

/// <summary>A CRM record as HubSpot keeps it: its id, its portal and object, and its properties (all text).</summary>
public sealed record CrmRecord(string Id, string Portal, string Object, JsonObject Properties, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>In the recycling bin (HubSpot's "Archive").</summary>
    public bool Archived { get; init; }

    /// <summary>The ids of the companies a contact is associated with (the default association).</summary>
    public IReadOnlyList<string> Companies { get; init; } = [];
}

/// <summary>
/// The fake's CRM data per portal: contacts and companies, the properties each object has (HubSpot's
/// standard ones plus the unique-value properties an admin created, <c>product_contact_id</c> and
/// <c>product_company_id</c>), and the calls each portal made in the current 10-second window
/// (HubSpot's burst limit for OAuth apps, 110 by default, <c>--HubSpot:BurstLimit</c>).
/// </summary>
public sealed class HubSpotPortals(IConfiguration configuration) : IFakeResettable
{
    public const int WindowMilliseconds = 10_000;

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Properties = new Dictionary<string, IReadOnlyList<string>>
    {
        ["contacts"] = ["email", "firstname", "lastname", "phone", "jobtitle", "company", "lifecyclestage", "product_contact_id"],
        ["companies"] = ["name", "domain", "phone", "city", "country", "industry", "product_company_id"],
    };

    public static readonly IReadOnlyDictionary<string, string> UniqueProperties = new Dictionary<string, string>
    {
        ["contacts"] = "product_contact_id",
        ["companies"] = "product_company_id",
    };

    private readonly object _gate = new();
    private readonly List<CrmRecord> _records = [];
    private readonly Dictionary<(string Portal, long Window), int> _calls = [];
    private int? _burstLimit;
    private long _nextId = 51;

    public int BurstLimit
    {
        get
        {
            lock (_gate) return _burstLimit ?? configuration.GetValue("HubSpot:BurstLimit", 110);
        }
        set
        {
            lock (_gate) _burstLimit = value;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _records.Clear();
            _calls.Clear();
            _burstLimit = null;
            // Record ids are not reused after a reset (HubSpot never reuses one): a platform that kept links from before must not find them again.
        }
    }

    /// <summary>Counts a call of the portal in its window: the calls left after it, or null when none were left (a 429).</summary>
    public int? TakeCall(string portal, DateTimeOffset now)
    {
        lock (_gate)
        {
            var key = (portal, now.ToUnixTimeMilliseconds() / WindowMilliseconds);
            var used = _calls.GetValueOrDefault(key);
            var limit = _burstLimit ?? configuration.GetValue("HubSpot:BurstLimit", 110);
            if (used >= limit) return null;
            _calls[key] = used + 1;
            return limit - used - 1;
        }
    }

    /// <summary>Updates the record whose <paramref name="idProperty"/> is <paramref name="id"/>, or makes one; returns it and whether it is new.</summary>
    /// <returns>The record, whether it is new, and the properties whose value changed (what HubSpot's webhooks report).</returns>
    public (CrmRecord Record, bool New, IReadOnlyDictionary<string, string> Changed) Upsert(string portal, string @object, string idProperty, string id,
        JsonObject properties, DateTimeOffset now)
    {
        lock (_gate)
        {
            var at = _records.FindIndex(r => r.Portal == portal && r.Object == @object && !r.Archived && r.Properties[idProperty]?.GetValue<string>() == id);
            var values = (JsonObject)properties.DeepClone();
            values[idProperty] = id;
            if (at >= 0)
            {
                var (updated, changed) = Merge(_records[at], values, now);
                _records[at] = updated;
                return (updated, false, changed);
            }
            var (made, set) = Make(portal, @object, values, now);
            return (made, true, set);
        }
    }

    /// <summary>A record made in HubSpot's UI (the control API).</summary>
    public (CrmRecord Record, IReadOnlyDictionary<string, string> Set) Create(string portal, string @object, JsonObject properties, DateTimeOffset now)
    {
        lock (_gate) return Make(portal, @object, (JsonObject)properties.DeepClone(), now);
    }

    /// <summary>A record edited in HubSpot's UI; null when the portal has no such record.</summary>
    public (CrmRecord Record, IReadOnlyDictionary<string, string> Changed)? Edit(string id, JsonObject properties, DateTimeOffset now)
    {
        lock (_gate)
        {
            var at = _records.FindIndex(r => r.Id == id && !r.Archived);
            if (at < 0) return null;
            var (updated, changed) = Merge(_records[at], properties, now);
            _records[at] = updated;
            return (updated, changed);
        }
    }

    /// <summary>Associates the portal's contact with its company (once); false when either is not the portal's live record.</summary>
    public bool Associate(string portal, string contactId, string companyId)
    {
        lock (_gate)
        {
            var at = _records.FindIndex(r => r.Portal == portal && r.Object == "contacts" && r.Id == contactId && !r.Archived);
            if (at < 0 || !_records.Any(r => r.Portal == portal && r.Object == "companies" && r.Id == companyId && !r.Archived)) return false;
            if (!_records[at].Companies.Contains(companyId)) _records[at] = _records[at] with { Companies = [.. _records[at].Companies, companyId] };
            return true;
        }
    }

    public CrmRecord? Find(string id)
    {
        lock (_gate) return _records.FirstOrDefault(r => r.Id == id);
    }

    private (CrmRecord Record, IReadOnlyDictionary<string, string> Set) Make(string portal, string @object, JsonObject values, DateTimeOffset now)
    {
        var record = new CrmRecord((_nextId++).ToString(CultureInfo.InvariantCulture), portal, @object, values, now, now);
        values["hs_object_id"] = record.Id;
        _records.Add(record);
        return (record, values.Where(p => p.Key != "hs_object_id").ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? ""));
    }

    private static (CrmRecord Record, IReadOnlyDictionary<string, string> Changed) Merge(CrmRecord record, JsonObject values, DateTimeOffset now)
    {
        var merged = (JsonObject)record.Properties.DeepClone();
        var changed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            var text = value?.GetValue<string>() ?? "";
            if ((merged[name]?.GetValue<string>() ?? "") != text) changed[name] = text;
            merged[name] = value?.DeepClone();
        }
        return (record with { Properties = merged, UpdatedAt = now }, changed);
    }

    /// <summary>Moves the portal's record to the recycling bin; false when it has no such record (or it is there already).</summary>
    public bool Archive(string portal, string @object, string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            var at = _records.FindIndex(r => r.Portal == portal && r.Object == @object && r.Id == id && !r.Archived);
            if (at < 0) return false;
            _records[at] = _records[at] with { Archived = true, UpdatedAt = now };
            return true;
        }
    }

    public IReadOnlyList<CrmRecord> Records(string? portal, string? @object)
    {
        lock (_gate)
        {
            return _records.Where(r => (portal is null || r.Portal == portal) && (@object is null || r.Object == @object)).ToList();
        }
    }
}
