namespace Dendrite.Cli;

/// <summary>The command line's names for optimizers, schedules and losses: the library's catalogs, with the option named in errors.</summary>
public static class Choices
{
    /// <summary><see cref="OptimizerCatalog.Create"/>; a bad name is a usage error naming --optimizer.</summary>
    public static Optimizer Optimizer(string name, float? lr, float momentum, float? weightDecay) =>
        Named("--optimizer", () => OptimizerCatalog.Create(name, lr, momentum, weightDecay));

    /// <summary><see cref="ScheduleCatalog.Create"/>; a bad name is a usage error naming --schedule.</summary>
    public static LearningRateSchedule Schedule(string name, int epochs) => Named("--schedule", () => ScheduleCatalog.Create(name, epochs));

    /// <summary><see cref="LossCatalog.Create"/>; a bad name is a usage error naming --loss.</summary>
    public static Loss Loss(string name, float labelSmoothing = 0f) => Named("--loss", () => LossCatalog.Create(name, labelSmoothing));

    private static T Named<T>(string option, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }
}
