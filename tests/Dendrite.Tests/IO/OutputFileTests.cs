using System.Globalization;

namespace Dendrite.Tests.IO;

/// <summary>The one rule for written files (<see cref="OutputFile"/>), the checkpoint folder's lock and the memory estimate.</summary>
public class OutputFileTests
{
    [Fact]
    public void Check_refuses_what_cannot_be_written_and_creates_nothing()
    {
        var dir = SmallData.TempDir();
        Assert.Equal("the path is empty", Assert.Throws<IOException>(() => OutputFile.Check("")).Message);
        Assert.EndsWith("is a folder; only a regular file is written (by a new file renamed over it)", Assert.Throws<IOException>(() => OutputFile.Check(dir)).Message);
        Assert.EndsWith("is a device; only a regular file is written (by a new file renamed over it)", Assert.Throws<IOException>(() => OutputFile.Check("/dev/full")).Message);
        var missing = Path.Combine(dir, "no", "x.bin");
        Assert.Equal($"{missing}: the folder {Path.Combine(dir, "no")} does not exist", Assert.Throws<IOException>(() => OutputFile.Check(missing)).Message);
        var ok = Path.Combine(dir, "x.bin");
        Assert.Equal(ok, OutputFile.Check(ok));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void SameFile_sees_through_links()
    {
        var dir = SmallData.TempDir();
        var a = Path.Combine(dir, "a");
        File.WriteAllText(a, "x");
        var link = Path.Combine(dir, "b");
        File.CreateSymbolicLink(link, a);
        Assert.True(OutputFile.SameFile(a, link));
        Assert.True(OutputFile.SameFile(a, Path.Combine(dir, ".", "a")));
        File.WriteAllText(Path.Combine(dir, "c"), "x");
        Assert.False(OutputFile.SameFile(a, Path.Combine(dir, "c")));
    }

    [Fact]
    public void A_write_in_progress_leaves_no_temporary_file_when_removed_as_a_signal_would()
    {
        var dir = SmallData.TempDir();
        var path = Path.Combine(dir, "m.bin");
        File.WriteAllText(path, "old");
        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            Assert.True(File.Exists(AtomicFile.TempPath(path)));
            OutputFile.RemoveTemporaries(); // what the SIGTERM handler does before the process ends
            throw new IOException("stopped");
        }));
        Assert.Equal("stopped", ex.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void A_write_through_a_symbolic_link_replaces_its_target_and_keeps_the_link()
    {
        var dir = SmallData.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "models"));
        var target = Path.Combine(dir, "models", "m.bin");
        File.WriteAllText(target, "old");
        var link = Path.Combine(dir, "latest.bin");
        File.CreateSymbolicLink(link, Path.Combine("models", "m.bin"));
        Assert.Equal(Path.GetFullPath(link), OutputFile.Check(link));
        AtomicFile.Write(link, s => s.Write("new"u8));
        Assert.Equal("new", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget); // still a link
        Assert.Equal([link], Directory.GetFiles(dir));
        Assert.Equal([target], Directory.GetFiles(Path.Combine(dir, "models")));
    }

    [Fact]
    public void Lock_refuses_a_second_claim_while_held_and_is_released()
    {
        var dir = SmallData.TempDir();
        var lockFile = Path.Combine(dir, CheckpointLock.FileName);
        File.WriteAllText(lockFile, "1"); // init: always running
        var e = Assert.Throws<IOException>(() => CheckpointLock.Acquire(dir));
        Assert.StartsWith($"{dir}: in use by process 1, which is still training into it", e.Message);
        File.WriteAllText(lockFile, int.MaxValue.ToString(CultureInfo.InvariantCulture)); // no such process
        File.SetLastWriteTimeUtc(lockFile, DateTime.UtcNow.AddMinutes(-1));
        using (var held = CheckpointLock.Acquire(dir))
            Assert.Equal($"{Environment.ProcessId} {CheckpointLock.Started(Environment.ProcessId)}", File.ReadAllText(lockFile));
        Assert.False(File.Exists(lockFile));
    }

    [Fact]
    public void Lock_left_by_a_process_whose_id_was_given_to_another_is_taken_over()
    {
        var dir = SmallData.TempDir();
        var lockFile = Path.Combine(dir, CheckpointLock.FileName);
        string? init = CheckpointLock.Started(1);
        Assert.NotNull(init);
        File.WriteAllText(lockFile, $"1 {init}"); // init itself, still running
        Assert.Throws<IOException>(() => CheckpointLock.Acquire(dir));
        File.WriteAllText(lockFile, "1 another-boot/12345"); // process 1 of some earlier boot: gone, though id 1 lives
        File.SetLastWriteTimeUtc(lockFile, DateTime.UtcNow.AddMinutes(-1));
        using (CheckpointLock.Acquire(dir))
            Assert.StartsWith($"{Environment.ProcessId} ", File.ReadAllText(lockFile));
        Assert.False(File.Exists(lockFile));
    }

    [Fact]
    public void Memory_estimate_counts_weights_and_outputs_by_hand()
    {
        // [1, 4, 4] -> flatten [16] -> dense(10): 170 weights, 10 outputs; relu: 10 outputs.
        var est = MemoryEstimate.Of(new Sequential(ModelSpec.Parse("dense(10),relu")), [1, 4, 4]);
        Assert.Equal([0L, 170L, 0L], est.Layers.Select(l => l.ParameterFloats));
        Assert.Equal([16L, 10L, 10L], est.Layers.Select(l => l.OutputFloats));
        Assert.Equal(4 * (170 + 8 * 36), est.InferenceBytes(8));
        Assert.Equal(4 * (4 * 170 + 2 * 8 * 36), est.TrainingBytes(8));
        est.Require(est.TrainingBytes(8), 8, training: true);
        var e = Assert.Throws<MemoryLimitException>(() => est.Require(est.TrainingBytes(8) - 1, 8, training: true));
        Assert.Equal("layer 2 dense(10) (170 weights, 10 outputs per sample) takes about 3,360 bytes of the 5,024 bytes that training with batch 8 needs, more than the 5,023 bytes allowed", e.Message);
    }

    [Fact]
    public void A_model_whose_weights_are_not_finite_is_refused_on_load()
    {
        var net = ModelSpec.Build("dense(3),softmax", [4], 3, 1);
        net.Parameters[1].Value.Span[0] = float.NaN;
        var path = Path.Combine(SmallData.TempDir(), "nan.safetensors");
        ModelFile.Save(path, net, ModelMetadata.Describe(net, new SoftmaxCrossEntropy()));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Equal($"{path}: tensor '0.bias' holds NaN at index 0; a model's values must be finite (the run that wrote it diverged)", e.Message);
    }
}
