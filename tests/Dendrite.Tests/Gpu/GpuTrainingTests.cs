using Dendrite.Gpu;
using Dendrite.Tests.IO;

namespace Dendrite.Tests.Gpu;

/// <summary>
/// Whole networks on ilgpu-cpu: gradients against finite differences of the device's own loss, training steps of every
/// optimizer against the CPU engine, a short run's accuracy, and checkpoints moved between the devices.
/// </summary>
public class GpuTrainingTests
{
    // No bias before batch norm: its gradient is 0 up to rounding, which Adam and RMSprop would blow up into noise.
    private const string Cnn = "conv(4,3,pad=1,bias=false),batchnorm,relu,maxpool(2),flatten,dense(12),tanh,dense(4),softmax";

    private static Sequential Net(string spec, Engine engine, ulong seed = 3) => new Sequential(ModelSpec.Parse(spec)).Build([1, 8, 8], seed, engine);

    private static Batch RandomBatch(Rng rng, int n, int[] shape, int classes)
    {
        var batch = new Batch();
        rng.Uniform(batch.Inputs.Resize([n, .. shape]).Span, 0f, 1f);
        var targets = batch.Targets.Resize([n, classes]);
        targets.Clear();
        var labels = new int[n];
        for (int i = 0; i < n; i++) targets.Span[i * classes + (labels[i] = rng.NextInt(classes))] = 1f;
        batch.Labels = labels;
        return batch;
    }

    [Theory]
    [InlineData("conv(3,3,pad=1),tanh,avgpool(2),flatten,dense(6),sigmoid,dense(4)", "cross-entropy")]
    [InlineData("conv(2,3,stride=2,pad=1),elu,gap,dense(5),sigmoid,dense(4)", "mse")]
    public void Device_gradients_match_finite_differences_of_the_device_loss(string spec, string lossName)
    {
        var loss = LossCatalog.Create(lossName);
        var net = Net(spec, Ilgpu.Engine);
        var rng = new Rng(17);
        foreach (var p in net.Parameters.Where(p => p.Value.Rank == 1)) rng.Uniform(p.Value.Span, -0.3f, 0.3f);
        var batch = RandomBatch(rng, 3, [1, 8, 8], 4);
        var device = (IlgpuNetwork)net.Device!;
        device.CopyFromHost();
        device.DownloadGradients(batch, loss, net.Layers.Count);
        double Loss() => loss.Compute(device.Predict(batch.Inputs, -1), batch.Targets, null);
        int checkedCount = 0;
        foreach (var (name, p) in net.NamedParameters)
        {
            var w = p.Value.Span;
            for (int t = 0; t < 8; t++)
            {
                int i = rng.NextInt(p.Length);
                float keep = w[i];
                const float h = 1e-2f;
                w[i] = keep + h;
                device.CopyFromHost();
                double up = Loss();
                w[i] = keep - h;
                device.CopyFromHost();
                double down = Loss();
                w[i] = keep;
                double numeric = (up - down) / (2 * h), analytic = p.Grad.Span[i];
                double error = Math.Abs(numeric - analytic) / Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(analytic));
                Assert.True(error < 2e-2, $"{name}[{i}]: device gradient {analytic}, finite difference {numeric}");
                checkedCount++;
            }
        }
        Assert.Equal(8 * net.Parameters.Count, checkedCount);
        Assert.Contains(net.Parameters, p => p.Grad.Span.ToArray().Any(g => Math.Abs(g) > 1e-4f)); // gradients were downloaded
    }

    [Theory]
    [InlineData("sgd", 0f)]
    [InlineData("sgd", 0.01f)]
    [InlineData("momentum", 0f)]
    [InlineData("nesterov", 0.01f)]
    [InlineData("adam", 0f)]
    [InlineData("adamw", 0.05f)]
    [InlineData("rmsprop", 0f)]
    public void Training_steps_on_the_device_match_the_cpu_engine(string optimizer, float decay)
    {
        Sequential cpu = Net(Cnn, TestEngines.Of(1)), gpu = Net(Cnn, Ilgpu.Engine);
        var lr = optimizer is "sgd" or "momentum" or "nesterov" ? 0.05f : 0.005f;
        var cpuTrainer = new Trainer(cpu, new SoftmaxCrossEntropy(), OptimizerCatalog.Create(optimizer, lr, 0.9f, decay));
        var gpuTrainer = new Trainer(gpu, new SoftmaxCrossEntropy(), OptimizerCatalog.Create(optimizer, lr, 0.9f, decay));
        var rng = new Rng(9);
        for (int step = 0; step < 3; step++)
        {
            var batch = RandomBatch(rng, 7, [1, 8, 8], 4);
            float a = cpuTrainer.TrainStep(batch), b = gpuTrainer.TrainStep(batch);
            Assert.True(Math.Abs(a - b) <= 1e-4f * (1 + Math.Abs(a)), $"step {step}: cpu loss {a}, device loss {b}");
        }
        gpuTrainer.Synchronize();
        Assert.Equal(3, gpuTrainer.Optimizer.Steps);
        foreach (var ((name, p), (_, q)) in cpu.NamedParameters.Zip(gpu.NamedParameters))
            Ilgpu.AssertClose(p.Value.Span, q.Value.Span, 2e-4f, $"{optimizer}: {name}");
        foreach (var ((name, b), (_, c)) in cpu.Buffers.Zip(gpu.Buffers))
            Ilgpu.AssertClose(b.Span, c.Span, 2e-4f, $"{optimizer}: {name}");
        var state = cpuTrainer.Optimizer.StateOf(cpu.Parameters[0]);
        var deviceState = gpuTrainer.Optimizer.StateOf(gpu.Parameters[0]);
        for (int s = 0; s < state.Length; s++) Ilgpu.AssertClose(state[s], deviceState[s], 2e-4f, $"{optimizer}: state {s}");
    }

    [Fact]
    public void A_short_run_on_the_device_reaches_the_cpu_accuracy_and_predicts_the_same()
    {
        var train = SmallData.Dataset(192, seed: 4);
        var test = SmallData.Dataset(100, seed: 5);
        EpochMetrics Fit(Sequential net) => new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.01f)).Fit(train, test, epochs: 1, batchSize: 32, seed: 2).Single();
        Sequential cpu = Net(Cnn, TestEngines.Of(1)), gpu = Net(Cnn, Ilgpu.Engine);
        var a = Fit(cpu);
        var b = Fit(gpu);
        Assert.True(a.TestAccuracy > 0.5f, $"cpu accuracy {a.TestAccuracy}: the run learned nothing");
        Assert.InRange(b.TestAccuracy, a.TestAccuracy - 0.01f, a.TestAccuracy + 0.01f);
        Assert.Equal(a.TrainLoss, b.TrainLoss, 3e-4f);
        var x = new Tensor(test.Features.AsSpan(0, 10 * 64).ToArray(), 10, 1, 8, 8);
        Ilgpu.AssertClose(cpu.Predict(x).Span, gpu.Predict(x).Span, 1e-3f, "probabilities");
    }

    [Fact]
    public void On_the_device_the_next_batch_is_prepared_while_it_trains_and_the_results_are_the_same()
    {
        var train = SmallData.Dataset(160, seed: 6);
        float[][] Run(bool prefetch)
        {
            var net = Net(Cnn, Ilgpu.Engine);
            var trainer = new Trainer(net, new SoftmaxCrossEntropy(), new Adam(0.01f));
            var loader = new DataLoader(train, 32, shuffle: true, new Rng(3)) { Augment = ImageAugmentation.Parse("shift=1", train.SampleShape)!.Apply };
            bool seen = false;
            trainer.BatchEnded = (_, _, _, _) => seen |= loader.Prefetch;
            if (prefetch) trainer.Fit(loader, null, epochs: 2).ToList();
            else
                for (int epoch = 1; epoch <= 2; epoch++) trainer.TrainEpoch(loader, epoch); // the bare loop leaves the loader as it is
            Assert.Equal(prefetch, seen);
            trainer.Synchronize();
            return [.. net.Parameters.Select(p => p.Value.Span.ToArray())];
        }
        var ahead = Run(prefetch: true);
        var plain = Run(prefetch: false);
        for (int i = 0; i < ahead.Length; i++) Assert.Equal(plain[i], ahead[i]);
    }

    [Fact]
    public void A_checkpoint_resumes_on_the_other_device_and_gives_the_cpu_run()
    {
        var options = new TrainingOptions { Epochs = 2, Batch = 32, Optimizer = "momentum", LearningRate = 0.05f, Schedule = "step", Seed = 6 };
        Sequential Run(Engine first, Engine second)
        {
            var dir = SmallData.TempDir();
            var run = TrainingRun.Start(Net(Cnn, first), SmallData.Dataset(96, seed: 4), null, options);
            run.Fit().First(); // epoch 1 only: the enumeration stops there
            run.SaveCheckpoint(dir);
            var checkpoint = Checkpoint.LoadLatest(dir, null);
            checkpoint.Model.Net.Engine = second;
            var resumed = TrainingRun.Resume(checkpoint, SmallData.Dataset(96, seed: 4), null);
            Assert.Equal(2, resumed.From.Epoch);
            resumed.Fit().ToList();
            return resumed.Net;
        }
        var cpuOnly = Run(TestEngines.Of(1), TestEngines.Of(1));
        foreach (var (first, second) in new[] { (Ilgpu.Engine, TestEngines.Of(1)), (TestEngines.Of(1), Ilgpu.Engine) })
        {
            var net = Run(first, second);
            Assert.Equal(second, net.Engine);
            foreach (var ((name, p), (_, q)) in cpuOnly.NamedParameters.Zip(net.NamedParameters))
                Ilgpu.AssertClose(p.Value.Span, q.Value.Span, 1e-3f, $"{first.Device} then {second.Device}: {name}");
        }
    }

    [Fact]
    public void Cuda_without_a_gpu_is_one_clear_line()
    {
        try
        {
            var engine = DeviceEngines.Create("cuda");
            Assert.Equal("cuda", engine.Device); // a machine with an NVIDIA GPU and driver
        }
        catch (DeviceUnavailableException e)
        {
            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains("NVIDIA", e.Message);
        }
        var unknown = Assert.Throws<ArgumentException>(() => DeviceEngines.Create("tpu"));
        Assert.Contains("cpu, cuda, ilgpu-cpu", unknown.Message);
        Assert.Equal("ilgpu-cpu", DeviceEngines.Create("ilgpu-cpu").Device);
        Assert.Same(Engine.Default, DeviceEngines.Create("cpu"));
    }
}
