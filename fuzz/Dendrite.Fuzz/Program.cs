using Dendrite.Fuzz;
using SharpFuzz;

// dotnet Dendrite.Fuzz.dll TARGET            run under afl-fuzz (persistent mode: many inputs per process)
// dotnet Dendrite.Fuzz.dll TARGET FILE...    replay inputs without AFL (a crash prints its exception)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Dendrite.Fuzz {string.Join("|", FuzzTargets.All.Keys)} [FILE...]");
    return 2;
}
if (args.Length > 1)
{
    foreach (var file in args[1..]) target(File.ReadAllBytes(file));
    Console.WriteLine($"{args.Length - 1} inputs replayed");
    return 0;
}
Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
