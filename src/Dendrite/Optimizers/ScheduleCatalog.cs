namespace Dendrite;

/// <summary>
/// The learning-rate schedules by name: constant; step (x0.1 every third of the run, at least every epoch);
/// cosine (from the base rate down to 0 over the run).
/// </summary>
public static class ScheduleCatalog
{
    /// <summary>Every name <see cref="Create"/> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "step", "cosine"];

    /// <summary>A new schedule for a run of <paramref name="epochs"/> epochs.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static LearningRateSchedule Create(string name, int epochs) => name switch
    {
        "constant" => new ConstantRate(),
        "step" => new StepDecay(Math.Max(1, epochs / 3), 0.1f),
        "cosine" => new CosineDecay(epochs),
        _ => throw new ArgumentException($"'{name}' is not one of {string.Join(", ", Names)}"),
    };
}
