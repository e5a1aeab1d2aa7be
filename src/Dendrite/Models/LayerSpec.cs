using System.Globalization;

namespace Dendrite;

/// <summary>
/// One item of a spec: <c>name</c> or <c>name(arg, arg, key=value, ...)</c>, e.g. <c>dense(128)</c>,
/// <c>conv(32,5,pad=2)</c>, <c>leakyrelu(0.1)</c>. Items are separated by commas outside parentheses.
/// </summary>
public sealed class LayerSpec
{
    /// <summary>The layer name before any '(', lower-cased: <c>dense</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The item as written (trimmed), for messages: <c>dense(128,bias=false)</c>.</summary>
    public required string Text { get; init; }

    /// <summary>1-based position in the spec (or in its block), for messages.</summary>
    public required int Position { get; init; }
    /// <summary>Where the item sits, for messages: "3", or "3.2" for the second layer inside item 3.</summary>
    public string Path { get; init; } = "";

    /// <summary>
    /// The arguments before the first <c>key=value</c>, trimmed, in order. A layer given as an argument (<c>conv(8,3,pad=1)</c>
    /// inside <c>residual(...)</c>) is one positional argument, since its '(' comes before its '='.
    /// </summary>
    public IReadOnlyList<string> Positional { get; init; } = [];

    /// <summary>The <c>key=value</c> arguments: keys lower-cased, values trimmed; a key given twice is refused when parsing.</summary>
    public IReadOnlyDictionary<string, string> Named { get; init; } = new Dictionary<string, string>();

    private readonly HashSet<string> _used = [];

    /// <summary>Splits a spec at the commas outside parentheses and parses each item.</summary>
    public static IReadOnlyList<LayerSpec> ParseAll(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new SpecException("empty model spec");
        return ParseItems(spec, "", $"spec '{spec}'");
    }

    private static List<LayerSpec> ParseItems(string text, string prefix, string context)
    {
        var items = new List<LayerSpec>();
        foreach (var (item, _) in SplitTopLevel(text, context))
            items.Add(Parse(item.Trim(), items.Count + 1, prefix));
        return items;
    }

    // The pieces of text between commas at depth 0, with the offset of each; parentheses must balance.
    private static List<(string Text, int Offset)> SplitTopLevel(string text, string context)
    {
        var pieces = new List<(string, int)>();
        int depth = 0, start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ',';
            if (c == '(') depth++;
            else if (c == ')' && --depth < 0) throw new SpecException($"{context}: ')' at character {i + 1} has no '('");
            else if (c == ',' && depth == 0)
            {
                pieces.Add((text[start..i], start));
                start = i + 1;
            }
        }
        if (depth != 0) throw new SpecException($"{context}: unclosed '('");
        return pieces;
    }

    private static LayerSpec Parse(string text, int position, string prefix)
    {
        string path = prefix + position;
        if (text.Length == 0) throw new SpecException($"spec item {path} is empty (two commas in a row?)");
        int open = text.IndexOf('(');
        string name = (open < 0 ? text : text[..open]).Trim().ToLowerInvariant();
        if (name.Length == 0 || !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            throw new SpecException($"spec item {path} '{text}': '{name}' is not a layer name");
        var positional = new List<string>();
        var named = new Dictionary<string, string>();
        if (open >= 0)
        {
            if (!text.EndsWith(')')) throw new SpecException($"spec item {path} '{text}': text after ')'");
            string inner = text[(open + 1)..^1];
            if (inner.Trim().Length > 0)
                foreach (var (raw, _) in SplitTopLevel(inner, $"spec item {path} '{text}'"))
                {
                    string arg = raw.Trim();
                    if (arg.Length == 0) throw new SpecException($"spec item {path} '{text}': empty argument");
                    // key=value only when '=' comes before any '(' (a layer given as an argument has its own).
                    int eq = arg.IndexOf('='), paren = arg.IndexOf('(');
                    if (eq < 0 || (paren >= 0 && paren < eq))
                    {
                        if (named.Count > 0) throw new SpecException($"spec item {path} '{text}': positional argument '{arg}' after a named one");
                        positional.Add(arg);
                    }
                    else if (!named.TryAdd(arg[..eq].Trim().ToLowerInvariant(), arg[(eq + 1)..].Trim()))
                        throw new SpecException($"spec item {path} '{text}': '{arg[..eq].Trim()}' given twice");
                }
        }
        return new LayerSpec { Name = name, Text = text, Position = position, Path = path, Positional = positional, Named = named };
    }

    /// <summary>
    /// The positional arguments from <paramref name="first"/> on, each read as a layer (for blocks such as
    /// <c>residual(conv(8,3,pad=1),relu)</c>), created through <see cref="LayerCatalog"/>.
    /// </summary>
    public List<Layer> Layers(int first = 0)
    {
        var layers = new List<Layer>();
        for (int i = first; i < Positional.Count; i++)
        {
            layers.Add(LayerCatalog.Create(Parse(Positional[i].Trim(), i + 1, $"{Path}.")));
        }
        return layers;
    }

    /// <summary>
    /// The argument at <paramref name="index"/> (negative: by name only) or named <paramref name="key"/>, if given; marks
    /// <paramref name="key"/> as read for <see cref="RequireAllUsed"/>. Throws <see cref="SpecException"/> when it is given both ways.
    /// </summary>
    public string? Raw(int index, string key)
    {
        _used.Add(key);
        bool hasNamed = Named.TryGetValue(key, out var v);
        bool hasPositional = index >= 0 && index < Positional.Count;
        if (hasNamed && hasPositional) throw Fail($"'{key}' given both by position and by name");
        return hasNamed ? v : hasPositional ? Positional[index] : null;
    }

    /// <summary>An argument (as <see cref="Raw"/> finds it) read as a whole number of at least <paramref name="min"/>.</summary>
    /// <param name="index">Its position, or a negative number for a named-only argument.</param>
    /// <param name="key">Its name.</param>
    /// <param name="fallback">The value when it is absent (not checked against <paramref name="min"/>); null makes it required.</param>
    /// <param name="min">The smallest value accepted; default 1.</param>
    /// <exception cref="SpecException">It is absent without a fallback, not a whole number, below <paramref name="min"/>, or given both ways.</exception>
    public int Int(int index, string key, int? fallback = null, int min = 1)
    {
        var raw = Raw(index, key);
        if (raw is null) return fallback ?? throw Fail($"needs {key}");
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw Fail($"{key} '{raw}' is not a whole number");
        if (v < min) throw Fail($"{key} must be at least {min}, got {v}");
        return v;
    }

    /// <summary>An argument (as <see cref="Raw"/> finds it) read as a finite number (<c>0.5</c>, <c>1e-5</c>), or <paramref name="fallback"/> when absent; no range check. Throws <see cref="SpecException"/> for anything else.</summary>
    public float Float(int index, string key, float fallback)
    {
        var raw = Raw(index, key);
        if (raw is null) return fallback;
        if (!float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
            throw Fail($"{key} '{raw}' is not a number");
        return v;
    }

    /// <summary>An argument (as <see cref="Raw"/> finds it) read as true/1/yes or false/0/no in any case, or <paramref name="fallback"/> when absent. Throws <see cref="SpecException"/> for anything else.</summary>
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

    /// <summary>An argument (as <see cref="Raw"/> finds it) read as a member of <typeparamref name="T"/> by name in any case (<c>he</c>, <c>xavier</c>), or <paramref name="fallback"/> when absent. Throws <see cref="SpecException"/> for numbers and other names.</summary>
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

    /// <summary>A <see cref="SpecException"/> naming this item: "spec item 3 'dense(x)': ...".</summary>
    public SpecException Fail(string message) => new($"spec item {(Path.Length > 0 ? Path : Position)} '{Text}': {message}");

    /// <summary>"5" as (5, 5), "5x3" as (5, 3): a size argument such as a kernel or a padding.</summary>
    public (int H, int W) Size(string key, string raw, int min)
    {
        var parts = raw.Split('x', 'X');
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (parts.Length > 2 || !int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || values[i] < min)
                throw Fail(key == "pad" ? $"pad '{raw}' is not a padding like 2, 2x1 or same" : $"{key} '{raw}' is not a size like 5 or 5x3");
        return parts.Length == 1 ? (values[0], values[0]) : (values[0], values[1]);
    }
}
