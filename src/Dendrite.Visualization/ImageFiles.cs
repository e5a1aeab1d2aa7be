namespace Dendrite;

/// <summary>
/// Image files decoded one at a time as a loader asks for them, each resized to one [C, H, W] as
/// <see cref="ImageDecoder.Load"/> does it: the streamed form of an <see cref="ImageFolder"/>, which holds only the file
/// names in memory. Decoding is the costly part, so the loader's worker threads decode a batch in parallel.
/// </summary>
public sealed class ImageFiles : SampleSource
{
    private readonly string[] _files;
    private readonly bool _crop;

    /// <summary>The files <paramref name="files"/>, each read as <paramref name="shape"/> ([C, H, W]).</summary>
    /// <param name="files">Image files, in sample order.</param>
    /// <param name="shape">[C, H, W]: 1 or 3 channels.</param>
    /// <param name="crop">Crop to the target's aspect ratio around the centre before resizing.</param>
    /// <param name="name">The folder, for messages.</param>
    public ImageFiles(IReadOnlyList<string> files, int[] shape, bool crop, string name)
    {
        if (shape.Length != 3) throw new ArgumentException($"image shape must be [C, H, W], got {Tensor.Format(shape)}", nameof(shape));
        _files = [.. files];
        SampleShape = shape;
        _crop = crop;
        Name = name;
    }

    /// <inheritdoc/>
    public override int Count => _files.Length;
    /// <inheritdoc/>
    public override int[] SampleShape { get; }
    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>Sample <paramref name="index"/>'s file.</summary>
    public string File(int index) => _files[index];

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The file cannot be decoded (it changed since the folder was opened, or only its pixels are bad).</exception>
    public override void Read(int index, Span<float> destination) =>
        ImageDecoder.Load(_files[index], destination, SampleShape[0], SampleShape[1], SampleShape[2], _crop);
}
