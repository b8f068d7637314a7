using System.Text.Json;
using System.Text.Unicode;

namespace Integrations.Api.Middleware;

/// <summary>
/// What a JSON body may not hold although System.Text.Json reads it: text that is not Unicode
/// (invalid UTF-8, an escaped lone surrogate), a property name twice in one object, an integer
/// outside int64 or a number outside the range of a double. PostgreSQL cannot store the first;
/// the others are ambiguous (which duplicate wins? is 1e400 infinity?) and would reach consumers
/// differently on Kafka and in webhooks. Malformed JSON is left to the deserializer, which names
/// the field it stopped at.
/// </summary>
public static class JsonBodyRules
{
    public sealed record Violation(string? Field, string Code, string Message);

    public static Violation? Check(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var frames = new List<Frame>();
        Span<byte> scratch = stackalloc byte[256];
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        Advance(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames[^1];
                        // Until the name is known to be valid, the path ends at the object that holds it.
                        frame.Name = null;
                        if (Text(ref reader, scratch) is not { } name)
                            return new Violation(Path(frames), "invalid_text", "A property name is not valid Unicode (invalid UTF-8 or a lone surrogate escape).");
                        frame.Name = name;
                        if (!(frame.Seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                            return new Violation(Path(frames), "duplicate_property", $"The property '{name}' appears twice in one object.");
                        break;
                    case JsonTokenType.String:
                        Advance(frames);
                        if (!IsValidText(ref reader, scratch))
                            return new Violation(Path(frames), "invalid_text", "The string is not valid Unicode (invalid UTF-8 or a lone surrogate escape).");
                        break;
                    case JsonTokenType.Number:
                        Advance(frames);
                        if (!IsRepresentable(ref reader))
                            return new Violation(Path(frames), "number_out_of_range",
                                "Numbers must be finite doubles, and integers must fit in 64 bits (-9223372036854775808 to 9223372036854775807).");
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: the endpoint's deserializer refuses it with the position it failed at.
        }
        return null;
    }

    private static bool IsRepresentable(ref Utf8JsonReader reader)
    {
        var literal = reader.ValueSpan;
        var integral = literal.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;
        return integral ? reader.TryGetInt64(out _) : reader.TryGetDouble(out var value) && double.IsFinite(value);
    }

    private static bool IsValidText(ref Utf8JsonReader reader, scoped Span<byte> scratch)
    {
        if (!reader.ValueIsEscaped) return Utf8.IsValid(reader.ValueSpan);
        var buffer = reader.ValueSpan.Length <= scratch.Length ? scratch : new byte[reader.ValueSpan.Length];
        try
        {
            // Unescaping refuses a lone surrogate (\ud800) with InvalidOperationException.
            return Utf8.IsValid(buffer[..reader.CopyString(buffer)]);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string? Text(ref Utf8JsonReader reader, scoped Span<byte> scratch) =>
        IsValidText(ref reader, scratch) ? reader.GetString() : null;

    // An array element or an object's value begins: arrays count their elements.
    private static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray) frames[^1].Index++;
    }

    /// <summary>"data.items[2].name"; null for the body itself.</summary>
    private static string? Path(List<Frame> frames)
    {
        var path = new System.Text.StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                if (frame.Index > 0) path.Append('[').Append(frame.Index - 1).Append(']');
            }
            else if (frame.Name is { } name)
            {
                if (path.Length > 0) path.Append('.');
                path.Append(name);
            }
        }
        return path.Length == 0 ? null : path.ToString();
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string? Name { get; set; }
        public HashSet<string>? Seen { get; set; }
    }
}
