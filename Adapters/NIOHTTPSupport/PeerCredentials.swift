#if canImport(Glibc)
import Glibc
#endif
import HealthSyncDomain
import NIOCore

/// Who is on the other end of a Unix domain socket, as the kernel says.
enum PeerCredentials {
    /// `struct ucred` of <sys/socket.h> (Glibc hides it behind _GNU_SOURCE):
    /// three 32-bit fields, laid out as C lays them out.
    struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    struct OtherUser: Error {
        let uid: uid_t
    }

    /// Succeeds for a peer running as this process's user or as root (who
    /// can read the token file anyway); fails, closing the connection
    /// unread, for anyone else.
    @Sendable
    static func admitSameUser(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(OtherUser(uid: uid_t.max))
        }
        let read: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return read.flatMapThrowing { credentials in
            guard credentials.uid == geteuid() || credentials.uid == 0 else { throw OtherUser(uid: credentials.uid) }
        }
    }
}
