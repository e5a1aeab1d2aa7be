using System.Text.Json;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.IO;

/// <summary>SavedModel.Evaluate and Predict take raw inputs and apply the normalisation the model was trained with.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class SavedModelTests
{
    [Fact]
    public void Evaluate_on_raw_data_gives_what_training_measured_and_what_eval_prints()
    {
        string dir = SmallData.TempDir(), data = SmallData.Folder(Path.Combine(dir, "data"), 200, 60, 9);
        string model = Path.Combine(dir, "m.safetensors"), metrics = Path.Combine(dir, "m.jsonl");
        // A mean far from the pixels' makes the raw and normalised inputs differ a lot.
        var (code, _, err) = Run("train", "--data", data, "--model", "dense(16),relu,dense(4),softmax", "--epochs", "2", "--batch", "16",
            "--normalize", "0.9,0.05", "--out", model, "--metrics", metrics);
        Assert.True(code == 0, err);
        var trained = MetricsLog.Read(metrics)[^1];

        var saved = ModelFile.Load(model);
        var (_, test) = IdxDataset.LoadDirectory(data);
        var raw = test.Features.ToArray();
        var result = saved.Evaluate(test);
        Assert.Equal(raw, test.Features); // the caller's data is left as it was
        Assert.Equal(Math.Round(trained.TestAccuracy, 6), Math.Round(result.Accuracy, 6));
        Assert.Equal(Math.Round(trained.TestLoss, 6), Math.Round(result.Loss, 6));
        Assert.Equal(result, Evaluator.Evaluate(saved, test));
        var unnormalised = Evaluator.Evaluate(saved.Net, saved.Metadata.CreateLoss(), test);
        Assert.NotEqual(result.Loss, unnormalised.Loss);

        (code, var stdout, err) = Run("eval", "--model", model, "--data", data, "--json");
        Assert.True(code == 0, err);
        var eval = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(result.Accuracy, eval.GetProperty("test_accuracy").GetSingle());
        Assert.Equal(result.Loss, eval.GetProperty("test_loss").GetSingle());
    }

    [Fact]
    public void Predict_normalises_raw_inputs_and_names_the_class()
    {
        string[] names = ["top", "middle", "lower", "bottom"];
        var net = SmallData.Net();
        var norm = new Normalization(0.3f, 0.2f);
        string path = Path.Combine(SmallData.TempDir(), "named.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), names, norm));
        var saved = ModelFile.Load(path);

        var data = SmallData.Dataset(3, 4);
        var predictions = saved.Predict(data.Features, 3);
        Assert.Equal(3, predictions.Count);
        var normalised = data.Features.ToArray();
        norm.Apply(normalised);
        var expected = Evaluator.Predict(net, normalised, 3);
        for (int i = 0; i < 3; i++)
        {
            var p = predictions[i];
            Assert.Equal(expected.AsSpan(i * 4, 4).ToArray(), p.Probabilities);
            Assert.Equal(Array.IndexOf(p.Probabilities, p.Probabilities.Max()), p.ClassIndex);
            Assert.Equal(names[p.ClassIndex], p.ClassName);
            Assert.Equal(1f, p.Probabilities.Sum(), 4);
        }

        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        Assert.Null(ModelFile.Load(path).Predict(data.Sample(0))[0].ClassName);
        Assert.Throws<ShapeException>(() => saved.Predict(new float[10], 1));
    }

    [Fact]
    public void Predict_follows_the_loss_a_model_was_trained_with()
    {
        var data = SmallData.Dataset(3, 4);
        string path = Path.Combine(SmallData.TempDir(), "m.safetensors");

        // Binary cross-entropy on one sigmoid output: the two classes' [1 - p, p], not a softmax of one value (always 1).
        var binary = ModelSpec.Build("dense(8),relu,dense(1),sigmoid", data.SampleShape, 1, seed: 3);
        ModelFile.Save(path, binary, ModelMetadata.Describe(binary, new BinaryCrossEntropy()));
        var saved = ModelFile.Load(path);
        var p = saved.Outputs(data.Features, 3);
        var predictions = saved.Predict(data.Features, 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([1f - p[i], p[i]], predictions[i].Probabilities);
            Assert.Equal(p[i] > 0.5f ? 1 : 0, predictions[i].ClassIndex);
        }

        // A regression model has values, not classes: Outputs gives them, Predict refuses.
        var regression = ModelSpec.Build("dense(8),relu,dense(2)", data.SampleShape, 2, seed: 3);
        ModelFile.Save(path, regression, ModelMetadata.Describe(regression, new MeanSquaredError()));
        saved = ModelFile.Load(path);
        Assert.Equal(regression.Predict(new Tensor(data.Features.ToArray(), [3, .. data.SampleShape])).Span.ToArray(), saved.Outputs(data.Features, 3));
        var e = Assert.Throws<InvalidOperationException>(() => saved.Predict(data.Features, 3));
        Assert.Contains("regression model (trained with mse)", e.Message);
    }
}
