using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.ExactOnline;

namespace Integrations.Infrastructure.Providers.ExactOnline;

/// <summary>
/// The <c>exact.sales_invoice</c> action (<see cref="ExactSalesInvoice"/>, ADR 0031): an invoice of ours
/// (<c>entity.created</c>, <c>entity_type</c> <c>invoice</c>) as a sales invoice in Exact Online, its
/// customer found or made in <c>crm/Accounts</c> first. Settings:
/// <code>
/// { "item": "GUID",                         required: the Exact item every line sells
///   "journal": "70",                        optional: the sales journal's code (default 70)
///   "division": 1234567,                    optional: the division (default: the connection's current division)
///   "vat_codes": { "high": "2" },           optional: our VAT code → Exact's VAT code
///   "default_vat_code": "2",                optional: for lines whose code is not mapped (else Exact's default for the item)
///   "gl_accounts": { "revenue": "GUID" },   optional: our revenue code → Exact's G/L account
///   "default_gl_account": "GUID" }          optional: likewise
/// </code>
/// Each step is a call of its own (<see cref="IFollowingConnectorAction"/>): its carry names the step and
/// the whole plan, so retries and replays redo exactly that step. The customer and the invoice are linked
/// (<c>exact.account</c>, <c>exact.sales_invoice</c>) in the connection's identity map.
/// </summary>
public sealed partial class ExactSalesInvoiceAction : IConnectorAction, IFollowingConnectorAction, ILinkingConnectorAction
{
    private static readonly string[] Settings = ["item", "journal", "division", "vat_codes", "default_vat_code", "gl_accounts", "default_gl_account"];
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, ExactInvoiceSettings> _parsed = new(StringComparer.Ordinal);

    public string Name => ExactSalesInvoice.Action;

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, Name, Settings);
        var output = new JsonObject();
        if (Guid(settings, "item") is { } item) output["item"] = item;
        else errors.Add(new("settings.item", "invalid_item", "settings.item is the GUID of the Exact item each invoice line sells (Exact requires an item on a sales invoice line)."));
        if (!settings.TryGetProperty("journal", out var journal) || journal.ValueKind == JsonValueKind.Null) output["journal"] = "70";
        else if (journal.ValueKind == JsonValueKind.String && JournalCode().IsMatch(journal.GetString()!)) output["journal"] = journal.GetString();
        else errors.Add(new("settings.journal", "invalid_journal", "settings.journal is the code of an Exact sales journal, such as \"70\"."));
        if (settings.TryGetProperty("division", out var division) && division.ValueKind != JsonValueKind.Null)
        {
            if (division.ValueKind == JsonValueKind.Number && division.TryGetInt32(out var number) && number > 0) output["division"] = number;
            else errors.Add(new("settings.division", "invalid_division", "settings.division is the number of an Exact division (administration) the connection's user may use."));
        }
        output["vat_codes"] = Map(settings, "vat_codes", code => code is { Length: > 0 and <= 3 }, "Exact VAT codes (at most 3 characters)", errors);
        output["gl_accounts"] = Map(settings, "gl_accounts", code => System.Guid.TryParse(code, out _), "GUIDs of Exact G/L accounts", errors);
        if (settings.TryGetProperty("default_vat_code", out var vat) && vat.ValueKind != JsonValueKind.Null)
        {
            if (vat.ValueKind == JsonValueKind.String && vat.GetString() is { Length: > 0 and <= 3 } code) output["default_vat_code"] = code;
            else errors.Add(new("settings.default_vat_code", "invalid_vat_code", "settings.default_vat_code is an Exact VAT code (at most 3 characters)."));
        }
        if (settings.TryGetProperty("default_gl_account", out var gl) && gl.ValueKind != JsonValueKind.Null)
        {
            if (Guid(settings, "default_gl_account") is { } account) output["default_gl_account"] = account;
            else errors.Add(new("settings.default_gl_account", "invalid_gl_account", "settings.default_gl_account is the GUID of an Exact G/L account."));
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    /// <returns>The first step (is the invoice made already?), or null when the event names no invoice Exact can take.</returns>
    public PreparedRequest? Prepare(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var settings = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        if (ExactSalesInvoice.Plan(settings, data) is not { } plan) return null;
        return Step(ExactInvoiceStep.FindInvoice, plan, ExactSalesInvoice.DivisionPath(settings, PreparedRequest.AccountSegment), null);
    }

    public FollowUp After(PreparedRequest request, string? answer)
    {
        if (Carried(request) is not { } carry) return new FollowUp.None();
        return ExactSalesInvoice.After(carry.Step, answer) switch
        {
            ExactNext.Step next => new FollowUp.Next(Step(next.Next, carry.Plan, carry.DivisionPath, next.AccountId), null),
            ExactNext.Refused refused => new FollowUp.Refused(refused.Reason),
            _ => new FollowUp.None(),
        };
    }

    public MadeRecordLink? LinkOf(PreparedRequest request, string? answerExcerpt)
    {
        if (Carried(request) is not { } carry) return null;
        var plan = carry.Plan;
        return carry.Step switch
        {
            ExactInvoiceStep.FindAccount or ExactInvoiceStep.CreateAccount when ExactSalesInvoice.IdIn(answerExcerpt, "ID") is { } account =>
                new MadeRecordLink("customer", (string)plan["customer_id"]!, ExactSalesInvoice.AccountType, account),
            ExactInvoiceStep.FindInvoice or ExactInvoiceStep.CreateInvoice when ExactSalesInvoice.IdIn(answerExcerpt, "InvoiceID") is { } invoice =>
                new MadeRecordLink("invoice", (string)plan["invoice_id"]!, ExactSalesInvoice.InvoiceType, invoice),
            _ => null,
        };
    }

    private static PreparedRequest Step(ExactInvoiceStep step, JsonObject plan, string divisionPath, string? accountId)
    {
        var (method, path, body) = ExactSalesInvoice.Request(step, plan, divisionPath, accountId);
        // Exact answers OData v2 JSON only when asked to (its default is XML).
        var headers = new Dictionary<string, string> { ["Accept"] = "application/json" };
        return new PreparedRequest(method, null, path, headers, body?.ToJsonString(Compact))
        {
            Carry = new JsonObject { ["step"] = step.ToString(), ["division_path"] = divisionPath, ["plan"] = plan.DeepClone() }.ToJsonString(Compact),
        };
    }

    private static (ExactInvoiceStep Step, JsonObject Plan, string DivisionPath)? Carried(PreparedRequest request)
    {
        if (request.Carry is null) return null;
        try
        {
            var carry = JsonNode.Parse(request.Carry) as JsonObject;
            return carry?["plan"] is JsonObject plan && Enum.TryParse<ExactInvoiceStep>((string?)carry["step"], out var step) && (string?)carry["division_path"] is { } path
                ? (step, plan, path)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject Map(JsonElement settings, string name, Func<string?, bool> valid, string what, List<ValidationError> errors)
    {
        var output = new JsonObject();
        if (!settings.TryGetProperty(name, out var map) || map.ValueKind == JsonValueKind.Null) return output;
        if (map.ValueKind != JsonValueKind.Object || map.EnumerateObject().Count() > 500)
        {
            errors.Add(new($"settings.{name}", $"invalid_{name}", $"settings.{name} maps our codes to {what}, at most 500."));
            return output;
        }
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Name.Length is 0 or > 100 || entry.Value.ValueKind != JsonValueKind.String || !valid(entry.Value.GetString()))
                errors.Add(new($"settings.{name}.{entry.Name}", $"invalid_{name}", $"settings.{name}.{entry.Name}: one of {what}."));
            else output[entry.Name] = entry.Value.GetString();
        }
        return output;
    }

    private static string? Guid(JsonElement settings, string name) =>
        settings.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && System.Guid.TryParse(value.GetString(), out var guid)
            ? guid.ToString()
            : null;

    private static ExactInvoiceSettings Parse(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        return new ExactInvoiceSettings(
            root.TryGetProperty("division", out var division) ? division.GetInt32() : null,
            root.GetProperty("journal").GetString()!,
            root.GetProperty("item").GetString()!,
            root.GetProperty("vat_codes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            root.TryGetProperty("default_vat_code", out var vat) ? vat.GetString() : null,
            root.GetProperty("gl_accounts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            root.TryGetProperty("default_gl_account", out var gl) ? gl.GetString() : null);
    }

    /// <summary>Exact's journal codes: up to 20 characters, letters and digits.</summary>
    [GeneratedRegex("^[A-Za-z0-9]{1,20}$")]
    private static partial Regex JournalCode();
}
