// SPDX-License-Identifier: Apache-2.0
#include "testgateway.h"

namespace {
TestGateway::Settings &settings()
{
    static TestGateway::Settings s;
    return s;
}
} // namespace

void TestGateway::configure(const Settings &s)
{
    settings() = s;
}

TestGateway::TestGateway(QObject *parent)
    : QObject(parent)
{
}

QString TestGateway::url() const
{
    return settings().url;
}

QString TestGateway::adminToken() const
{
    return settings().adminToken;
}

QString TestGateway::viewerToken() const
{
    return settings().viewerToken;
}

QStringList TestGateway::devices() const
{
    return settings().devices;
}

QString TestGateway::pendingDevice() const
{
    return settings().pendingDevice;
}
