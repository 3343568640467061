# Live helper of the tcp_cc tests: one loopback TCP connection whose client uses the congestion
# control named in argv[1] (set before connect, so its init runs at establishment), and whose
# server side uses argv[2] when given (set on the listener, inherited by the accepted socket);
# 4 MiB sent.
import socket
import sys
import threading

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if len(sys.argv) > 2:
    srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[2].encode())
srv.bind(('127.0.0.1', 0))
srv.listen(1)
got = [0]


def rx():
    c, _ = srv.accept()
    while True:
        d = c.recv(65536)
        if not d:
            break
        got[0] += len(d)
    c.close()


t = threading.Thread(target=rx)
t.start()
c = socket.socket()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[1].encode())
c.connect(('127.0.0.1', srv.getsockname()[1]))
c.sendall(b'x' * (4 << 20))
c.close()
t.join()
srv.close()
print(got[0])
