namespace Dendrite.Tests.Training;

/// <summary>
/// A network computes on the engine it was built with: two engines with different thread counts train side by
/// side in one process, each giving the bits it gives alone (the work split never changes a sum's order).
/// </summary>
public class EngineTests
{
    private const string Model = "conv(8,5,pad=2),relu,maxpool(2),conv(16,3,pad=1),relu,maxpool(2),flatten,dense(32),relu,dense(10),softmax";
    private static readonly (Dataset Train, Dataset Test) Data = Synthetic.Images(256, 32, seed: 11);

    private static Sequential Network(Engine engine) => ModelSpec.Build(Model, [1, 28, 28], 10, seed: 3, engine);

    private static int[] Train(Sequential net)
    {
        new Trainer(net, new SoftmaxCrossEntropy(), new Adam(2e-3f)).Fit(Data.Train, Data.Test, epochs: 2, batchSize: 32, seed: 3).ToList();
        return net.Parameters.SelectMany(p => p.Value.Span.ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray();
    }

    [Fact]
    public void Two_engines_train_concurrently_and_each_matches_its_network_trained_alone()
    {
        Engine one = TestEngines.Of(1), two = TestEngines.Of(2);
        var aloneOne = Train(Network(one));
        var aloneTwo = Train(Network(two));
        Assert.Equal(aloneOne, aloneTwo); // bit-identical across thread counts, by design

        Sequential netOne = Network(one), netTwo = Network(two);
        using var start = new Barrier(2);
        int[]? concurrentOne = null, concurrentTwo = null;
        var a = Task.Factory.StartNew(() => { start.SignalAndWait(); concurrentOne = Train(netOne); }, TaskCreationOptions.LongRunning);
        var b = Task.Factory.StartNew(() => { start.SignalAndWait(); concurrentTwo = Train(netTwo); }, TaskCreationOptions.LongRunning);
        Task.WaitAll(a, b);

        Assert.Same(one, netOne.Engine);
        Assert.Same(two, netTwo.Engine);
        Assert.All(netTwo.Layers, l => Assert.Same(two, l.Engine));
        Assert.Equal(aloneOne, concurrentOne);
        Assert.Equal(aloneTwo, concurrentTwo);
        // Guards against a trainer that silently does nothing.
        var initial = Network(one).Parameters.SelectMany(p => p.Value.Span.ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray();
        Assert.True(initial.Zip(aloneOne).Count(p => p.First != p.Second) > initial.Length / 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void Rejects_fewer_than_one_thread_naming_the_count(int threads)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Engine(threads));
        Assert.Equal("threads", e.ParamName);
        Assert.Contains($"threads must be at least 1, got {threads}", e.Message);
    }

    [Fact]
    public void Default_engine_is_the_cpu_with_all_cores_and_serves_networks_built_without_one()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), Engine.Default.Threads);
        Assert.Equal("cpu", Engine.Default.Device);
        Assert.Equal("cpu, 3 threads", new Engine(3).ToString());
        var net = new Sequential(new Dense(4), new ReLU(), new Dense(2)).Build([3]);
        Assert.Same(Engine.Default, net.Engine);
        Assert.All(net.Layers, l => Assert.Same(Engine.Default, l.Engine));
    }

    [Fact]
    public void Trainer_runs_the_optimizer_on_the_models_engine()
    {
        var engine = TestEngines.Of(1);
        var net = new Sequential(new Dense(4), new ReLU(), new Dense(2)).Build([3], engine: engine);
        var optimizer = new Momentum(0.1f);
        Assert.Same(Engine.Default, optimizer.Engine);
        _ = new Trainer(net, new MeanSquaredError(), optimizer);
        Assert.Same(engine, optimizer.Engine);
    }
}
