using Dendrite.Tests.IO;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.IO;

/// <summary>One mean and deviation per channel of colour images: fitted, parsed, applied, saved, exported, imported, trained with.</summary>
[Collection(Dendrite.Tests.Cli.ConsoleCollection.Name)]
public class PerChannelNormalizationTests
{
    private static readonly Normalization Rgb = new([0.5f, 0.25f, 0.125f], [0.5f, 0.25f, 2f]);

    // Two 3x2x2 images: channel c of image i holds c + i + {0, 0.1, 0.2, 0.3}.
    private static Dataset Colour()
    {
        var x = new float[2 * 12];
        for (int i = 0; i < 2; i++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 4; p++) x[i * 12 + c * 4 + p] = c + i + 0.1f * p;
        return new Dataset(x, [3, 2, 2], [0, 1], 2);
    }

    [Fact]
    public void Auto_fits_each_channel_of_colour_images_and_one_pair_for_grey()
    {
        var n = Normalization.Fit(Colour());
        Assert.Equal(3, n.Channels);
        // Each channel holds c + {0, 0.1, 0.2, 0.3} and c + 1 + the same: mean c + 0.65; deviation sqrt(0.25 + 0.0125).
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(c + 0.65f, n.Means[c], 5);
            Assert.Equal(MathF.Sqrt(0.2625f), n.Stds[c], 5);
        }
        var grey = SmallData.Dataset(30, 2);
        Assert.Equal(Normalization.Fit(grey.Features), Normalization.Fit(grey)); // the same bits as the one-pair fit
        Assert.Equal(1, Normalization.Fit(grey).Channels);
    }

    [Fact]
    public void Apply_uses_each_channels_pair_across_several_samples()
    {
        var data = Colour();
        var x = data.Features.ToArray();
        Rgb.Apply(x, data.SampleShape);
        for (int i = 0; i < 2; i++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 4; p++)
                    Assert.Equal((data.Features[i * 12 + c * 4 + p] - Rgb.Means[c]) / Rgb.Stds[c], x[i * 12 + c * 4 + p]);
        Assert.Throws<ShapeException>(() => Rgb.Apply(x, [1, 2, 6]));
        Assert.Throws<InvalidOperationException>(() => Rgb.Apply(x));
        Assert.Throws<InvalidOperationException>(() => Rgb.Mean);
    }

    [Theory]
    [InlineData("0.5/0.25/0.125,0.5/0.25/2", 3)]
    [InlineData("0.286,0.353", 1)]
    public void Parse_reads_what_format_writes(string text, int channels)
    {
        var n = Normalization.Parse(text)!;
        Assert.Equal(channels, n.Channels);
        Assert.Equal(n, Normalization.Parse(n.Format()));
        Assert.Equal(Rgb, Normalization.Parse(Rgb.Format()));
    }

    [Theory]
    [InlineData("0.5/0.25,0.5", "2 means and 1 standard deviations")]
    [InlineData("0.5/0.25,0.5/0", "must be positive")]
    [InlineData("0.5/x,0.5/1", "expected none, auto")]
    public void Parse_refuses_lists_that_do_not_pair_up(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => Normalization.Parse(text));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_model_file_keeps_one_pair_per_channel_and_refuses_a_count_that_is_not_the_inputs()
    {
        var net = ModelSpec.Build("conv(2,3),relu,flatten,dense(2)", [3, 5, 5], 2, seed: 1);
        string path = Path.Combine(SmallData.TempDir(), "m.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), null, Rgb));
        var saved = ModelFile.Load(path);
        Assert.Equal(Rgb, saved.Metadata.Normalization);

        var grey = ModelSpec.Build("flatten,dense(2)", [1, 5, 5], 2, seed: 1);
        string bad = Path.Combine(SmallData.TempDir(), "bad.safetensors");
        ModelFile.Save(bad, grey, ModelMetadata.Describe(grey, new SoftmaxCrossEntropy(), null, Rgb));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(bad));
        Assert.Contains("normalize_mean and normalize_std hold 3 and 3 values for inputs [1, 5, 5]", e.Message);
    }

    [Fact]
    public void An_onnx_export_subtracts_and_divides_per_channel_as_onnx_runtime_runs_it_and_imports_back()
    {
        var net = ModelSpec.Build("conv(4,3,pad=1),relu,maxpool(2),flatten,dense(3)", [3, 6, 6], 3, seed: 3);
        var meta = ModelMetadata.Describe(net, new SoftmaxCrossEntropy(), null, Rgb);
        var x = TestData.Random(new Rng(4), 0f, 1f, [5, 3, 6, 6]).Span.ToArray();
        var bytes = OnnxExporter.Export(net, meta);
        var onnx = OnnxExportTests.RunOnnx(bytes, x, net.InputShape, 5);
        var normalised = (float[])x.Clone();
        Rgb.Apply(normalised, net.InputShape);
        var expected = Evaluator.Predict(net, normalised, 5);
        Assert.True(expected.Zip(onnx, (a, b) => MathF.Abs(a - b)).Max() <= 1e-5f);

        var imported = OnnxImporter.Import(new MemoryStream(bytes), "m.onnx");
        Assert.Equal(Rgb, imported.Metadata.Normalization);
        Assert.Equal(new SavedModel(net, meta, null!).Predict(x, 5).Select(p => p.Probabilities), imported.Predict(x, 5).Select(p => p.Probabilities));
    }

    [Fact]
    public void Augmentation_fills_each_channel_with_black_as_that_channel_is_normalised()
    {
        var augmentation = new ImageAugmentation([3, 3, 3], maxShift: 1, flip: false);
        augmentation.Normalize(Rgb);
        var rng = new Rng(1);
        int filled = 0;
        for (int draw = 0; draw < 50; draw++)
        {
            var image = new float[27];
            Array.Fill(image, 9f);
            augmentation.Apply(image, rng);
            // A shift brings in black pixels, (0 - mean) / std of their channel.
            for (int c = 0; c < 3; c++)
                foreach (float v in image.AsSpan(c * 9, 9))
                {
                    Assert.True(v == 9f || v == -Rgb.Means[c] / Rgb.Stds[c], $"channel {c}: {v}");
                    if (v != 9f) filled++;
                }
        }
        Assert.True(filled > 0);
    }

    [Fact]
    public void Train_with_auto_on_a_colour_folder_saves_per_channel_values_that_eval_and_predict_apply()
    {
        using var dir = new TempDirectory();
        Dendrite.Tests.Data.ImageFolderTests.Folder(dir.Path, 8, "train", "test");
        string model = dir.File("m.safetensors");
        var (code, stdout, err) = Run("train", "--data", dir.Path, "--model", "conv(4,3),relu,flatten,dense(3),softmax", "--epochs", "3",
            "--batch", "8", "--normalize", "auto", "--augment", "shift+jitter", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("inputs (x - [", stdout);
        var saved = ModelFile.Load(model);
        Assert.Equal(3, saved.Metadata.Normalization.Channels);
        // Blue, green and red images: the channel means differ.
        Assert.Equal(3, saved.Metadata.Normalization.Means.Distinct().Count());
        (code, stdout, err) = Run("eval", "--model", model, "--data", dir.Path, "--json");
        Assert.True(code == 0, err);
        (code, stdout, err) = Run("predict", "--model", model, Path.Combine(dir.Path, "test", "red", "001.jpg"), "--top", "1");
        Assert.True(code == 0, err);
        Assert.Contains("001.jpg: red ", stdout);
    }
}
