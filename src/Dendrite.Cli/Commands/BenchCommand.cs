using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Dendrite.Cli.Commands;

/// <summary>
/// dendrite bench: training and inference throughput on synthetic data, defined as the TorchSharp anchor's
/// `run.sh bench` (same models and shapes, SGD with momentum 0.9 and lr 0.01, warm-up of max(3, steps/10)
/// excluded, here also at least 2 s of it, see WarmUp; inference = forward + argmax on the same batch).
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "mlp, cnn or a layer spec", DefaultValueFactory = _ => "mlp" };
        var batch = new Option<int>("--batch", "-b") { Description = "samples per step", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "timed steps", DefaultValueFactory = _ => 200 };
        var threads = CliOptions.Threads();
        var device = CliOptions.Device();
        var json = new Option<bool>("--json") { Description = "print one JSON line" };
        var inferenceOnly = new Option<bool>("--inference-only") { Description = "measure inference alone (any batch size, batch norm included)" };
        var command = new Command("bench", "measure training and inference speed on synthetic data") { model, batch, steps, threads, device, json, inferenceOnly };
        command.SetAction(r =>
        {
            var engine = CliOptions.Engine(r.GetValue(threads), r.GetValue(device)!);
            var result = Measure(r.GetValue(model)!, CliOptions.Positive(r.GetValue(batch), "--batch"), CliOptions.Positive(r.GetValue(steps), "--steps"), engine,
                training: !r.GetValue(inferenceOnly));
            Console.WriteLine(r.GetValue(json) ? result.ToJson() : result.ToText());
            return 0;
        });
        command.Subcommands.Add(GemmBenchCommand.Create());
        return command;
    }

    public sealed record Result(string Model, int Batch, int Threads, double Train, double Infer, double AllocatedPerStep, string Device = "cpu")
    {
        public string ToJson() => string.Create(CultureInfo.InvariantCulture,
            $"{{\"framework\":\"dendrite\",\"model\":\"{Model.Replace("\"", "\\\"")}\",\"batch\":{Batch},\"threads\":{Threads},\"device\":\"{Device}\",\"train_samples_per_sec\":{Train:F1},\"infer_samples_per_sec\":{Infer:F1},\"allocated_bytes_per_step\":{AllocatedPerStep:F0}}}");

        public string ToText() => Train == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Model}, batch {Batch}, {(Device == "cpu" ? $"{Threads} threads" : $"on {Device}")}: inference {Infer:N0} samples/s")
            : string.Create(CultureInfo.InvariantCulture,
                $"{Model}, batch {Batch}, {(Device == "cpu" ? $"{Threads} threads" : $"on {Device}")}: training {Train:N0} samples/s, inference {Infer:N0} samples/s, {AllocatedPerStep:N0} bytes allocated per step");
    }

    public static Result Measure(string model, int batchSize, int steps, Engine? engine = null, bool training = true)
    {
        var net = ModelSpec.Build(model, [1, 28, 28], 10, seed: 1, engine);
        CliOptions.OnDevice(net);
        var batch = SyntheticBatch(batchSize, new Rng(1));
        int warmup = Math.Max(3, steps / 10);
        double train = 0, perStep = 0;
        var clock = new Stopwatch();
        if (training)
        {
            var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Momentum(0.01f, 0.9f));
            WarmUp(() => trainer.TrainStep(batch), warmup);
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();
            for (int i = 0; i < steps; i++) trainer.TrainStep(batch);
            train = (double)batchSize * steps / clock.Elapsed.TotalSeconds;
            perStep = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / steps;
        }

        // Inference: Sequential.Predict, which runs the network's inference plan (built on the first call).
        var predictions = new int[batchSize];
        WarmUp(() => Infer(net, batch, predictions), warmup);
        clock.Restart();
        for (int i = 0; i < steps; i++) Infer(net, batch, predictions);
        double infer = (double)batchSize * steps / clock.Elapsed.TotalSeconds;
        return new Result(model, batchSize, net.Engine.Threads, train, infer, perStep, net.Engine.Device);
    }

    /// <summary>
    /// At least <paramref name="steps"/> calls and at least 2 seconds: .NET compiles hot methods again with full
    /// optimisation after they have run a while (tiered compilation), and a warm-up of steps/10 alone left the mlp's
    /// timed steps partly in unoptimised code (140k samples/s measured over 1,000 steps, 247k over 5,000).
    /// </summary>
    private static void WarmUp(Action step, int steps)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps || clock.Elapsed.TotalSeconds < 2; i++) step();
        // Steady state also means the runtime has finished swapping in recompiled code, which allocates a few bytes
        // now and then (none with DOTNET_TieredCompilation=0, measured): go on until ten steps allocate nothing.
        for (int round = 0; round < 20 && clock.Elapsed.TotalSeconds < 20; round++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 10; i++) step();
            if (GC.GetTotalAllocatedBytes(precise: true) == before) break;
        }
    }

    private static void Infer(Sequential net, Batch batch, int[] predictions)
    {
        var y = net.Predict(batch.Inputs);
        for (int i = 0; i < batch.Count; i++) predictions[i] = Kernels.Elementwise.ArgMax(y.Sample(i));
    }

    /// <summary>Uniform [0, 1) pixels and random labels, as the anchor's torch.rand and randint.</summary>
    private static Batch SyntheticBatch(int n, Rng rng)
    {
        var batch = new Batch();
        rng.Uniform(batch.Inputs.Resize([n, 1, 28, 28]).Span, 0f, 1f);
        var targets = batch.Targets.Resize([n, 10]);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.NextInt(10);
            targets.Span[i * 10 + labels[i]] = 1f;
        }
        batch.Labels = labels;
        return batch;
    }
}
