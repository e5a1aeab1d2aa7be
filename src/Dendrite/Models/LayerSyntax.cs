namespace Dendrite;

/// <summary>
/// How a layer type is written in a spec: its <paramref name="Name"/>, the <paramref name="Usage"/> line that lists its
/// arguments (shown in errors and the README), how many positional arguments it takes at most, and other names for it.
/// </summary>
/// <param name="Name">Lower-case spec name, e.g. <c>dense</c>.</param>
/// <param name="Usage">e.g. <c>dense(units[,init=he|xavier][,bias=true|false])</c>.</param>
/// <param name="Positional">Most positional arguments the layer takes (<see cref="int.MaxValue"/> for blocks, whose arguments are layers).</param>
/// <param name="Aliases">Other accepted names, e.g. <c>conv2d</c> for <c>conv</c>.</param>
public sealed record LayerSyntax(string Name, string Usage, int Positional = 0, params string[] Aliases);
