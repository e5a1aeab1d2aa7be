using System.Globalization;

namespace Dendrite;

/// <summary>
/// One item of a spec: <c>name</c> or <c>name(arg, arg, key=value, ...)</c>, e.g. <c>dense(128)</c>,
/// <c>conv(32,5,pad=2)</c>, <c>leakyrelu(0.1)</c>. Items are separated by commas outside parentheses.
/// </summary>
public sealed class LayerSpec
{
    public required string Name { get; init; }
    public required string Text { get; init; }
    /// <summary>1-based position in the spec, for messages.</summary>
    public required int Position { get; init; }
    public IReadOnlyList<string> Positional { get; init; } = [];
    public IReadOnlyDictionary<string, string> Named { get; init; } = new Dictionary<string, string>();

    private readonly HashSet<string> _used = [];

    public static IReadOnlyList<LayerSpec> ParseAll(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new SpecException("empty model spec");
        var items = new List<LayerSpec>();
        int depth = 0, start = 0;
        for (int i = 0; i <= spec.Length; i++)
        {
            char c = i < spec.Length ? spec[i] : ',';
            if (c == '(') depth++;
            else if (c == ')' && --depth < 0) throw new SpecException($"spec '{spec}': ')' at character {i + 1} has no '('");
            else if (c == ',' && depth == 0)
            {
                items.Add(Parse(spec[start..i].Trim(), items.Count + 1));
                start = i + 1;
            }
        }
        if (depth != 0) throw new SpecException($"spec '{spec}': unclosed '('");
        return items;
    }

    private static LayerSpec Parse(string text, int position)
    {
        if (text.Length == 0) throw new SpecException($"spec item {position} is empty (two commas in a row?)");
        int open = text.IndexOf('(');
        string name = (open < 0 ? text : text[..open]).Trim().ToLowerInvariant();
        if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            throw new SpecException($"spec item {position} '{text}': '{name}' is not a layer name");
        var positional = new List<string>();
        var named = new Dictionary<string, string>();
        if (open >= 0)
        {
            if (!text.EndsWith(')')) throw new SpecException($"spec item {position} '{text}': text after ')'");
            string inner = text[(open + 1)..^1];
            if (inner.Trim().Length > 0)
                foreach (var raw in inner.Split(','))
                {
                    string arg = raw.Trim();
                    if (arg.Length == 0) throw new SpecException($"spec item {position} '{text}': empty argument");
                    int eq = arg.IndexOf('=');
                    if (eq < 0)
                    {
                        if (named.Count > 0) throw new SpecException($"spec item {position} '{text}': positional argument '{arg}' after a named one");
                        positional.Add(arg);
                    }
                    else if (!named.TryAdd(arg[..eq].Trim().ToLowerInvariant(), arg[(eq + 1)..].Trim()))
                        throw new SpecException($"spec item {position} '{text}': '{arg[..eq].Trim()}' given twice");
                }
        }
        return new LayerSpec { Name = name, Text = text, Position = position, Positional = positional, Named = named };
    }

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="key"/>, if given.</summary>
    public string? Raw(int index, string key)
    {
        _used.Add(key);
        bool hasNamed = Named.TryGetValue(key, out var v);
        bool hasPositional = index >= 0 && index < Positional.Count;
        if (hasNamed && hasPositional) throw Fail($"'{key}' given both by position and by name");
        return hasNamed ? v : hasPositional ? Positional[index] : null;
    }

    public int Int(int index, string key, int? fallback = null, int min = 1)
    {
        var raw = Raw(index, key);
        if (raw is null) return fallback ?? throw Fail($"needs {key}");
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw Fail($"{key} '{raw}' is not a whole number");
        if (v < min) throw Fail($"{key} must be at least {min}, got {v}");
        return v;
    }

    public float Float(int index, string key, float fallback)
    {
        var raw = Raw(index, key);
        if (raw is null) return fallback;
        if (!float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
            throw Fail($"{key} '{raw}' is not a number");
        return v;
    }

    public bool Bool(int index, string key, bool fallback)
    {
        var raw = Raw(index, key);
        return raw?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw Fail($"{key} '{raw}' is not true or false"),
        };
    }

    public T Choice<T>(int index, string key, T fallback) where T : struct, Enum
    {
        var raw = Raw(index, key);
        if (raw is null) return fallback;
        if (Enum.TryParse<T>(raw, ignoreCase: true, out var v) && !int.TryParse(raw, out _)) return v;
        throw Fail($"{key} '{raw}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
    }

    /// <summary>Throws when an argument was given that the layer does not take.</summary>
    public void RequireAllUsed(int positionalCount)
    {
        if (Positional.Count > positionalCount)
            throw Fail(positionalCount == 0 ? "takes no arguments" : $"takes at most {positionalCount} positional arguments, got {Positional.Count}");
        foreach (var key in Named.Keys)
            if (!_used.Contains(key)) throw Fail($"unknown argument '{key}'");
    }

    public SpecException Fail(string message) => new($"spec item {Position} '{Text}': {message}");
}
