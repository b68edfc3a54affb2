using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Exchange.Host.Calls;

/// <summary>
/// Binds every gRPC service as grpc-dotnet's own binder does (through the generated
/// <c>BindService</c> method), except that each request is decoded through
/// <see cref="RequestScreen"/>. grpc-dotnet decodes a request before any interceptor runs and
/// answers a decoding failure with UNKNOWN and an error log per call; the marshaller is the only
/// place where a request that cannot be parsed can be refused as INVALID_ARGUMENT.
/// </summary>
internal sealed class ScreenedServiceMethodProvider<TService>(RequestScreen screen) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } bind)
            {
                var method = bind.BindType.GetMethod(bind.BindMethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(ServiceBinderBase), type])
                    ?? throw new InvalidOperationException($"{bind.BindType} has no {bind.BindMethodName}(ServiceBinderBase, {type.Name}).");
                method.Invoke(null, [new Binder(context, screen), null]);
                return;
            }
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, RequestScreen screen) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(screen.Screened(method), Metadata(method.Name), Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(screen.Screened(method), Metadata(method.Name), Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(screen.Screened(method), Metadata(method.Name), Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(screen.Screened(method), Metadata(method.Name), Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

        // An open delegate over the service's own method: the service instance is the call's.
        private static TDelegate Invoker<TDelegate>(string name, params Type[] parameters)
            where TDelegate : Delegate
        {
            var method = typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"{typeof(TService)} has no method {name}.");
            return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), method);
        }

        // What grpc-dotnet's binder gives an endpoint: the service's attributes, then the method's.
        private static List<object> Metadata(string name)
        {
            var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
            if (typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance) is { } method)
            {
                metadata.AddRange(method.GetCustomAttributes(inherit: true));
            }

            return metadata;
        }
    }
}
