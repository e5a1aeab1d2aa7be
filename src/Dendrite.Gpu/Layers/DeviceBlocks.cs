using ILGPU.Runtime;

namespace Dendrite.Gpu;

/// <summary>Layers in order forward and in reverse backward, stopping, as the host block does, at the first learnable layer when dL/dx is not needed.</summary>
internal sealed class DeviceSequential : DeviceLayer
{
    private readonly DeviceLayer[] _layers;
    private readonly int _firstLearnable;

    public DeviceSequential(Sequential host, DeviceKernels k, string device) : base(host, k)
    {
        _layers = [.. host.Layers.Select(l => For(l, k, device))];
        int first = System.Array.FindIndex(_layers, l => l.Host.Parameters.Count > 0);
        _firstLearnable = first < 0 ? _layers.Length : first;
    }

    public IReadOnlyList<DeviceLayer> Layers => _layers;

    public override IEnumerable<DeviceParameter> Parameters => _layers.SelectMany(l => l.Parameters);

    public override IEnumerable<(Tensor Host, DeviceArray<float> Device)> Buffers => _layers.SelectMany(l => l.Buffers);

    public override DeviceTensor Forward(DeviceTensor x, bool training) => Forward(x, training, _layers.Length);

    public DeviceTensor Forward(DeviceTensor x, bool training, int count)
    {
        for (int i = 0; i < count; i++) x = _layers[i].Forward(x, training);
        return x;
    }

    public override DeviceTensor Backward(DeviceTensor dy) => Backward(dy, _layers.Length - 1);

    public DeviceTensor Backward(DeviceTensor dy, int last)
    {
        bool needed = Host.NeedsInputGradient;
        int stop = needed ? 0 : _firstLearnable;
        for (int i = last; i >= stop && i >= 0; i--) dy = _layers[i].Backward(dy);
        return needed ? dy : DeviceTensor.Empty;
    }
}

/// <summary>y = f(x) + s(x), s the identity or the host's projection; dx = f's dx + s's dx.</summary>
internal sealed class DeviceResidual : DeviceLayer
{
    private readonly DeviceSequential _body;
    private readonly DeviceSequential? _projection;
    private readonly DeviceArray<float> _y, _dx;

    public DeviceResidual(Residual host, DeviceKernels k, string device) : base(host, k)
    {
        _body = new DeviceSequential(host.Body, k, device);
        _projection = host.Projection is { } p ? new DeviceSequential(p, k, device) : null;
        (_y, _dx) = (Array(), Array());
    }

    public override IEnumerable<DeviceParameter> Parameters => _body.Parameters.Concat(_projection?.Parameters ?? []);

    public override IEnumerable<(Tensor Host, DeviceArray<float> Device)> Buffers => _body.Buffers.Concat(_projection?.Buffers ?? []);

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        var f = _body.Forward(x, training);
        var s = _projection?.Forward(x, training) ?? x;
        var y = Batch(_y, x.N, Host.OutputShape);
        K.Add(y.View.IntLength, f.View, s.View, y.View);
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        var body = _body.Backward(dy);
        var shortcut = _projection?.Backward(dy) ?? dy;
        if (!Host.NeedsInputGradient) return DeviceTensor.Empty;
        var dx = Batch(_dx, dy.N, Host.InputShape);
        K.Add(dx.View.IntLength, body.View, shortcut.View, dx.View);
        return dx;
    }
}

/// <summary>Branches on the same input joined along the first axis of each sample; dx is the sum of the branches' dx.</summary>
internal sealed class DeviceConcat : DeviceLayer
{
    private readonly DeviceLayer[] _branches;
    private readonly DeviceArray<float>[] _parts;
    private readonly DeviceArray<float> _y, _dx;

    public DeviceConcat(Concat host, DeviceKernels k, string device) : base(host, k)
    {
        _branches = [.. host.Children.Select(b => For(b, k, device))];
        _parts = [.. _branches.Select(_ => Array())];
        (_y, _dx) = (Array(), Array());
    }

    public override IEnumerable<DeviceParameter> Parameters => _branches.SelectMany(b => b.Parameters);

    public override IEnumerable<(Tensor Host, DeviceArray<float> Device)> Buffers => _branches.SelectMany(b => b.Buffers);

    public override DeviceTensor Forward(DeviceTensor x, bool training)
    {
        var y = Batch(_y, x.N, Host.OutputShape);
        int stride = Tensor.Volume(Host.OutputShape), offset = 0;
        foreach (var branch in _branches)
        {
            var part = branch.Forward(x, training);
            int size = Tensor.Volume(branch.Host.OutputShape);
            K.Place(part.View.IntLength, part.View, y.View, size, stride, offset);
            offset += size;
        }
        return y;
    }

    public override DeviceTensor Backward(DeviceTensor dy)
    {
        int n = dy.N, stride = Tensor.Volume(Host.OutputShape), offset = 0;
        bool needed = Host.NeedsInputGradient;
        var dx = needed ? Batch(_dx, n, Host.InputShape) : DeviceTensor.Empty;
        for (int b = 0; b < _branches.Length; b++)
        {
            var part = Batch(_parts[b], n, _branches[b].Host.OutputShape);
            int size = Tensor.Volume(_branches[b].Host.OutputShape);
            K.Take(part.View.IntLength, dy.View, part.View, size, stride, offset);
            offset += size;
            var g = _branches[b].Backward(part);
            if (!needed) continue;
            if (b == 0) g.View.CopyTo(dx.View);
            else K.AddTo(dx.View.IntLength, g.View, dx.View);
        }
        return dx;
    }
}
