#pragma once
// A thin RAII layer over SQLite: a connection, prepared statements and transactions, with every
// failure as an Error naming the statement. Written by the store's author; see sqlite.cpp.
