"""The Redis channel layer of the websocket side: channels-redis with a bounded pool of
connections that waits for a free one.

channels-redis takes redis-py's plain ``ConnectionPool``, which since redis-py 8 holds at
most 100 connections and raises ``MaxConnectionsError`` at once when all are in use: in a
reconnection storm (hundreds of sockets joining and leaving their groups at the same
moment) sends and group changes then failed, and a socket that failed to leave its
groups stayed a member. A ``BlockingConnectionPool`` of REDIS_MAX_CONNECTIONS waits up
to REDIS_POOL_TIMEOUT seconds for a connection instead.
"""

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class BoundedRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, max_connections: int = 50, pool_timeout: float = 20, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_connections, self.pool_timeout = max_connections, pool_timeout

    def create_pool(self, index: int) -> BlockingConnectionPool:
        host = dict(self.hosts[index])
        return BlockingConnectionPool.from_url(
            host.pop("address"),
            max_connections=self.max_connections,
            timeout=self.pool_timeout,
            **host,
        )
