import NIOCore
import NIOHTTP1
import NIOWebSocket

/// RFC 6455 §5.1: a server must fail the connection (close 1002) when a client frame is not
/// masked. NIO's frame decoder accepts such frames and hummingbird-websocket has no option
/// for it, so this handler sits right after the decoder and checks each frame's mask key.
final class MaskedClientFramesOnly: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var failed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !failed else { return }
        guard frame.maskKey != nil else {
            failed = true
            var code = context.channel.allocator.buffer(capacity: 2)
            code.write(webSocketErrorCode: .protocolError)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: code)
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.fireChannelRead(data)
    }

    /// Added to the HTTP pipeline when an upgrade is accepted; once the upgrade completes
    /// (the WebSocket decoder is in place, nothing buffered has been decoded yet) it puts a
    /// `MaskedClientFramesOnly` right after the decoder and removes itself.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .upgradeComplete = event as? HTTPServerUpgradeEvents {
                let operations = context.pipeline.syncOperations
                if let decoder = try? operations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self) {
                    try? operations.addHandler(MaskedClientFramesOnly(), position: .after(decoder))
                }
                operations.removeHandler(context: context, promise: nil)
            }
            context.fireUserInboundEventTriggered(event)
        }
    }
}
