"""A user's own kernel with a subtle, conditional gradient bug, loaded with
``--ops torch=tests.planted_kernels`` into the built-in torch adapter's op table."""


def build(torch):
    class PlantedTanh(torch.autograd.Function):
        """tanh whose backward is 1% too large where x > 2.5 (the flat tail, where the true
        derivative is below 0.03): correct everywhere else, the forward always."""

        @staticmethod
        def forward(ctx, x):
            y = torch.tanh(x)
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * (1 - y * y) * torch.where(x > 2.5, 1.01, 1.0).to(x.dtype)

    return {"tanh": PlantedTanh.apply}
