import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The test relay's sockets: an HTTP/1 server that upgrades to WebSocket (NIO's upgrader,
/// encoder and decoder), one handler per connection.
extension TestRelay {
    /// The address, also after `stop` (a restart reuses the port).
    public var url: String { "ws://127.0.0.1:\(port)/" }
    public var port: Int { boundPort.withLock { $0 } }

    /// Starts listening (port 0 picks one; pass the old port to restart in place).
    @discardableResult
    public func start(port: Int = 0) async throws -> Int {
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64,
                                                    maxAccumulatedFrameSize: 1 << 20))
                    try channel.pipeline.syncOperations.addHandler(RelayChannelHandler(relay: self))
                }
            })
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        let chosen = listener.localAddress?.port ?? 0
        self.listener.withLock { $0 = listener }
        boundPort.withLock { $0 = chosen }
        return chosen
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        guard let listener = listener.withLock({ listener in defer { listener = nil }; return listener }) else { return }
        try? await listener.close()
        dropConnections()
    }
}

/// A frame the relay sends.
enum OutgoingFrame: Sendable {
    case text([UInt8])
    case binary([UInt8])
}

/// One client connection, as the relay's state sees it: send frames, or hang up.
struct RelayConnection: Sendable {
    let channel: Channel

    /// Writes the frames in order and flushes once, on the connection's event loop.
    func send(_ frames: [OutgoingFrame]) {
        let channel = channel
        channel.eventLoop.execute {
            for frame in frames {
                let (opcode, bytes): (WebSocketOpcode, [UInt8]) = switch frame {
                case .text(let bytes): (.text, bytes)
                case .binary(let bytes): (.binary, bytes)
                }
                // Room for the frame header in front: the encoder then writes it in place
                // instead of as a second buffer per frame.
                var data = channel.allocator.buffer(capacity: bytes.count + 14)
                data.moveWriterIndex(forwardBy: 14)
                data.moveReaderIndex(forwardBy: 14)
                data.writeBytes(bytes)
                channel.write(WebSocketFrame(fin: true, opcode: opcode, data: data), promise: nil)
            }
            channel.flush()
        }
    }

    func close() { channel.close(promise: nil) }
}

/// Hands text frames to the relay; answers pings and close frames itself.
final class RelayChannelHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let relay: TestRelay
    private var id: Int?

    init(relay: TestRelay) { self.relay = relay }

    func handlerAdded(context: ChannelHandlerContext) {
        id = relay.opened(RelayConnection(channel: context.channel))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let id { relay.closed(id) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            var payload = frame.unmaskedData
            if let id, let bytes = payload.readBytes(length: payload.readableBytes) { relay.handle(bytes, connection: id) }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }
}
