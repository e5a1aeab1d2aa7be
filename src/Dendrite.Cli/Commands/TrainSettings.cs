namespace Dendrite.Cli.Commands;

/// <summary>Everything `dendrite train` was asked to do, validated.</summary>
public sealed record TrainSettings
{
    public required string Data { get; init; }
    public required string Model { get; init; }
    public int Epochs { get; init; } = 10;
    public int Batch { get; init; } = 64;
    public string Optimizer { get; init; } = "adam";
    public float? LearningRate { get; init; }
    public float Momentum { get; init; } = 0.9f;
    public float? WeightDecay { get; init; }
    public string Schedule { get; init; } = "cosine";
    public string Loss { get; init; } = "cross-entropy";
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string? Metrics { get; init; }
    public string? Report { get; init; }
    public int TrainLimit { get; init; } = int.MaxValue;
    public int TestLimit { get; init; } = int.MaxValue;
}
